// A kill switch cuts work already in flight: a streaming model answer and a running app end at once,
// with the kill's reason, instead of running on after the kill.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startTestGatehouse } from '../src/testing/test-gatehouse.js';
import { FakeUpstream } from '../src/demo/fake-upstream.js';
import { GatehouseError } from '../src/core/errors.js';

const ALICE = { user: 'alice', roles: ['creator' as const], groups: ['support'] };

describe('kill switches cut in-flight work', () => {
  it('ends a streaming answer mid-way with the kill reason', async () => {
    const up = await new FakeUpstream({ apiKey: 'sk-cut', chunkSize: 4 }).start();
    up.reply = () => 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen';
    up.chunkDelayMs = 40;
    const t = await startTestGatehouse();
    try {
      await t.useProvider('gpt-4o-mini', up.baseUrl, 'sk-cut');
      assert.ok(await t.gh.apps.inForce('faq-bot'), 'the seeded low-risk app is approved in dev');
      const made = await t.cli(['app', 'key', 'create', 'faq-bot', '--json']);
      const client = new OpenAI({
        apiKey: (JSON.parse(made.out) as { key: string }).key,
        baseURL: `${t.url}/v1`,
        maxRetries: 0,
      });
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        user: 'alice',
        stream: true,
        messages: [{ role: 'user', content: 'count' }],
      });
      let text = '';
      let killedAt = 0;
      const consumed = (async () => {
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta?.content ?? '';
          if (!killedAt && text.length > 0) {
            killedAt = Date.now();
            const k = await t.cli(['kill', 'app', 'faq-bot', '--reason', 'leaking in the middle of an answer']);
            assert.equal(k.code, 0, k.err);
          }
        }
      })();
      await assert.rejects(consumed, /Kill switch kil_\w+ on app 'faq-bot': leaking in the middle of an answer/);
      assert.ok(!text.includes('fourteen'), `the stream went on after the kill: ${text}`);
    } finally {
      await t.close();
      await up.close();
    }
  });

  it('stops a running app (wasm tier) with the kill reason, long before its time limit', async () => {
    const t = await startTestGatehouse();
    try {
      const manifest = {
        apiVersion: 'gatehouse/v1',
        kind: 'App',
        metadata: { name: 'busy-loop', owner: 'alice' },
        spec: {
          purpose: 'keeps querying the catalog',
          environment: 'dev',
          region: 'eu-west-1',
          runtime: { tier: 'wasm', entrypoint: 'main.js', timeoutMs: 20_000 },
          data: [{ dataset: 'product-catalog', access: 'read', purpose: 'read product names', columns: ['sku'] }],
        },
      };
      // The app swallows capability errors, so only the cut (not a refused call) can stop it before its time limit.
      const code = `export default async function main(input, ctx) {
        for (;;) { try { await ctx.data.query('product-catalog', { columns: ['sku'], limit: 1 }); } catch (e) {} }
      }`;
      const sub = await t.gh.apps.submit(manifest, { 'main.js': code }, ALICE);
      assert.equal(sub.version.state, 'approved', JSON.stringify(sub.admission?.risk));
      const started = Date.now();
      const run = t.gh.sandbox.runner.run({ app: 'busy-loop', user: 'alice', input: {} });
      setTimeout(() => void t.cli(['kill', 'app', 'busy-loop', '--reason', 'runaway loop']), 150);
      await assert.rejects(
        run,
        (e: unknown) => e instanceof GatehouseError && e.code === 'app_killed' && /runaway loop/.test(e.message),
      );
      assert.ok(Date.now() - started < 10_000, 'cut by the kill, not by the 20 s time limit');
    } finally {
      await t.close();
    }
  });
});
