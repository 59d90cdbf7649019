// Issue 23 item 1, end to end: with `gateway.outputDlp: block` the answers carrying SSNs are refused AND the
// repeated-ssn-kill rule still fires on them (a blocked value counts as a detection), killing the app.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { parse } from 'yaml';
import { repoPath } from '../src/core/repo-root.js';
import { FakeUpstream } from '../src/demo/fake-upstream.js';
import { startTestGatehouse } from '../src/testing/test-gatehouse.js';

/** The example rule without its webhook (nothing listens here): match, condition and kill are unchanged. */
function ssnKillRule(): Record<string, unknown> {
  const doc = parse(readFileSync(repoPath('examples', 'alerts', 'repeated-ssn-kill.yaml'), 'utf8')) as {
    spec: { actions: Record<string, unknown>[] };
  };
  doc.spec.actions = doc.spec.actions.filter((a) => !('notify' in a));
  return doc as unknown as Record<string, unknown>;
}

describe('output DLP block and repeated-ssn-kill together', () => {
  it('blocks every SSN answer, counts each as a detection, and the third fires the kill', async () => {
    const up = await new FakeUpstream({ apiKey: 'sk-e2e-provider' }).start();
    up.reply = () => 'The customer on file is John Smith, SSN 536-22-8173.';
    const t = await startTestGatehouse({ config: { gateway: { outputDlp: 'block' } } });
    try {
      await t.useProvider('gpt-4o-mini', up.baseUrl, 'sk-e2e-provider');
      const v = (await t.gh.apps.latestVersion('faq-bot'))!;
      if (!(await t.gh.apps.inForce('faq-bot')))
        await t.gh.apps.lifecycle.transition({
          app: 'faq-bot',
          version: v.version,
          from: v.state,
          to: 'approved',
          actor: 'admin',
          reason: 'issue 23 e2e',
        });
      const applied = await t.api('POST', '/api/v1/alerts/apply', { documents: [ssnKillRule()] });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      const made = await t.cli(['app', 'key', 'create', 'faq-bot', '--json']);
      const client = new OpenAI({
        apiKey: (JSON.parse(made.out) as { key: string }).key,
        baseURL: `${t.url}/v1`,
        maxRetries: 0,
      });
      const ask = () =>
        client.chat.completions.create({
          model: 'gpt-4o-mini',
          user: 'alice',
          messages: [{ role: 'user', content: 'Who called yesterday?' }],
        });
      for (let i = 0; i < 3; i++)
        await assert.rejects(
          ask(),
          (e: Error & { status?: number }) => e.status === 403 && /DLP blocked/.test(e.message),
        );
      await t.gh.observability.telemetry.alerts.idle();
      await assert.rejects(
        ask(),
        (e: Error & { status?: number }) =>
          e.status === 403 && /Kill switch kil_\w+ on app 'faq-bot': .*repeated-ssn-kill/.test(e.message),
      );
      assert.equal(up.requests.length, 3, 'the call after the kill never reached the provider');
      const asAdmin = { headers: { authorization: `Bearer ${t.adminToken}` } };
      const metrics = await fetch(`${t.url}/metrics`, asAdmin).then((r) => r.text());
      assert.match(metrics, /gatehouse_dlp_detections_total\{app="faq-bot",entity="US_SSN"\} 3/);
    } finally {
      await t.close();
      await up.close();
    }
  });
});
