// Issue 23 item 7, end to end: a rule that kills and rolls back (here repeated-ssn-kill with a rollback added, grouped
// by app) kills only the version that misbehaved, so the previous good version its rollback restores serves at once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoPath } from '../src/core/repo-root.js';
import type { AlertFiring } from '../src/telemetry/alert-engine.js';
import { startTestGatehouse, type TestGatehouse } from '../src/testing/test-gatehouse.js';

/** repeated-ssn-kill without its webhook, with `rollback` after `kill` (groupBy stays `app`). */
function killThenRollbackRule(): Record<string, unknown> {
  const doc = parse(readFileSync(repoPath('examples', 'alerts', 'repeated-ssn-kill.yaml'), 'utf8')) as {
    metadata: { name: string };
    spec: { groupBy: string; actions: Record<string, unknown>[] };
  };
  doc.metadata.name = 'ssn-kill-rollback';
  doc.spec.actions = [{ kill: {} }, { rollback: {} }];
  assert.equal(doc.spec.groupBy, 'app');
  return doc as unknown as Record<string, unknown>;
}

/** faq-bot v1 and v2 both released: v2 in force, v1 the known-good version before it. */
async function twoReleases(t: TestGatehouse): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gh-faq-'));
  cpSync(repoPath('examples', 'apps', 'faq-bot'), dir, { recursive: true });
  const manifest = join(dir, 'app.yaml');
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('temperature: 0.2', 'temperature: 0.4'));
  const sub = await t.cli(['app', 'submit', manifest, '--json'], await t.tokenFor('alice'));
  assert.equal(sub.code, 0, sub.err);
  for (const n of [1, 2]) {
    const v = (await t.gh.apps.getVersion('faq-bot', n))!;
    await t.gh.apps.lifecycle.transition({
      app: 'faq-bot',
      version: n,
      from: v.state,
      to: 'released',
      actor: 'test',
      reason: 'e2e release',
    });
  }
  assert.equal((await t.gh.apps.inForce('faq-bot'))?.version, 2);
}

const call = (t: TestGatehouse) =>
  t.gh.governor.govern({
    action: 'model.invoke',
    subject: { user: 'alice', app: 'faq-bot' },
    resource: { type: 'model', id: 'gpt-4o-mini' },
    request: { inputTokens: 10, maxOutputTokens: 10 },
  });

describe('kill then rollback', () => {
  it('kills the bad version only, and the restored version serves', async () => {
    const t = await startTestGatehouse();
    try {
      await twoReleases(t);
      const applied = await t.api('POST', '/api/v1/alerts/apply', { documents: [killThenRollbackRule()] });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      for (let i = 0; i < 3; i++)
        t.gh.observability.sink.emit({
          kind: 'dlp.detection',
          time: Date.now(),
          app: 'faq-bot',
          appVersion: 2,
          user: 'alice',
          model: 'gpt-4o-mini',
          metrics: { count: 1 },
          attrs: { entities: 'US_SSN', direction: 'output', action: 'mask' },
        });
      await t.gh.observability.telemetry.alerts.idle();

      const [firing] = (await t.api('GET', '/api/v1/alerts/history?app=faq-bot')).body.firings as AlertFiring[];
      assert.deepEqual(
        firing.actions.map((a) => [a.type, a.ok, a.error]),
        [
          ['kill', true, undefined],
          ['rollback', true, undefined],
        ],
      );
      assert.equal((await t.gh.apps.inForce('faq-bot'))?.version, 1, 'the rollback restored v1');
      const kills = (await t.api('GET', '/api/v1/kills')).body.kills as { scope: string; target: string }[];
      assert.deepEqual(
        kills.map((k) => `${k.scope}:${k.target}`),
        ['app_version:faq-bot@2'],
      );
      const d = await call(t);
      assert.equal(d.effect, 'allow', d.reason);
      const bad = await t.gh.governor.govern({
        action: 'model.invoke',
        subject: { user: 'alice', app: 'faq-bot', appVersion: 2 },
        resource: { type: 'model', id: 'gpt-4o-mini' },
        request: { inputTokens: 10, maxOutputTokens: 10 },
      });
      assert.equal(bad.effect, 'deny', 'v2 stays refused');
    } finally {
      await t.close();
    }
  });

  it('a rule that kills without rolling back still kills the whole app', async () => {
    const t = await startTestGatehouse();
    try {
      await twoReleases(t);
      const rule = killThenRollbackRule();
      (rule.spec as { actions: unknown[] }).actions = [{ kill: {} }];
      assert.equal((await t.api('POST', '/api/v1/alerts/apply', { documents: [rule] })).status, 200);
      for (let i = 0; i < 3; i++)
        t.gh.observability.sink.emit({
          kind: 'dlp.detection',
          time: Date.now(),
          app: 'faq-bot',
          appVersion: 2,
          metrics: { count: 1 },
          attrs: { entities: 'US_SSN', direction: 'output' },
        });
      await t.gh.observability.telemetry.alerts.idle();
      const kills = (await t.api('GET', '/api/v1/kills')).body.kills as { scope: string; target: string }[];
      assert.deepEqual(
        kills.map((k) => `${k.scope}:${k.target}`),
        ['app:faq-bot'],
      );
      assert.equal((await call(t)).effect, 'deny');
    } finally {
      await t.close();
    }
  });
});
