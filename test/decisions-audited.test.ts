// Decisions reach the verifiable audit log through govern(): refusals and outward-facing allows are entries of
// type `decision` that `audit list` shows and `audit verify` covers; /metrics counts what the decision log drops.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGatehouse, type TestGatehouse } from '../src/testing/test-gatehouse.js';

type Entry = { event: { type: string; actor: string; ids: { decisionId?: string }; data: Record<string, unknown> } };

describe('decisions in the audit log', () => {
  let t: TestGatehouse;
  before(async () => {
    t = await startTestGatehouse();
  });
  after(async () => t.close());

  it('writes a refusal and a model-call allow as decision entries, with the input hashed, and verifies them', async () => {
    const subject = { user: 'alice', app: 'faq-bot' };
    const allowed = await t.gh.governor.govern({
      action: 'model.invoke',
      subject,
      resource: { type: 'model', id: 'gpt-4o-mini' },
      request: { inputTokens: 10, prompt: 'my SSN is 536-22-8173' },
    });
    const refused = await t.gh.governor.govern({
      action: 'model.invoke',
      subject,
      resource: { type: 'model', id: 'claude-sonnet' }, // not declared by faq-bot: denied by default
    });
    const listed = await t.gh.governor.govern({ action: 'catalog.read', subject, resource: { type: 'app', id: 'x' } });
    assert.equal(allowed.effect, 'allow', allowed.reason);
    assert.equal(refused.effect, 'deny');
    await new Promise((r) => setTimeout(r, 300)); // the audit log commits in groups
    const out = await t.cli(['audit', 'list', '--type', 'decision', '--limit', '1000', '--json']);
    assert.equal(out.code, 0, out.err);
    const entries = (JSON.parse(out.out) as { entries: Entry[] }).entries.map((e) => e.event);
    const byId = new Map(entries.map((e) => [e.ids.decisionId, e]));
    const a = byId.get(allowed.id);
    const r = byId.get(refused.id);
    assert.ok(a && r, `both decisions are in the audit log: ${JSON.stringify(entries).slice(0, 300)}`);
    assert.equal(a.data.effect, 'allow');
    assert.equal(r.data.effect, 'deny');
    assert.equal(r.actor, 'alice');
    assert.match(String(a.data.inputHash), /^hmac-sha256:[0-9a-f]{64}$/);
    assert.doesNotMatch(JSON.stringify(a), /536-22-8173/, 'the prompt never reaches the audit log');
    assert.equal(byId.has(listed.id), false, 'an allow that touches nothing outside is not written');
    const verify = await t.cli(['audit', 'verify']);
    assert.equal(verify.code, 0, verify.err + verify.out);
  });

  it('exports gatehouse_decision_log_dropped_total on /metrics', async () => {
    const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    assert.match(await res.text(), /^gatehouse_decision_log_dropped_total 0$/m);
  });
});
