// The shipped examples work as the README says: the seeded apps run in the sandbox against a (fake) provider,
// the example policies pass their tests, and the templates auto-approve.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { repoPath } from '../src/core/repo-root.js';
import { startTestGatehouse } from '../src/testing/test-gatehouse.js';
import { FakeUpstream } from '../src/demo/fake-upstream.js';

describe('shipped examples', () => {
  it('faq-bot runs in the wasm tier through the gateway with the demo models file', async () => {
    const up = await new FakeUpstream({ apiKey: 'sk-demo' }).start();
    const t = await startTestGatehouse();
    try {
      // examples/demo/local-models.yaml points at 127.0.0.1:9090; this test's fake listens on a free port instead.
      const r = await t.cli(['catalog', 'apply', repoPath('examples', 'demo', 'local-models.yaml')]);
      assert.equal(r.code, 0, r.err);
      await t.useProvider('gpt-4o-mini', up.baseUrl, 'sk-demo');
      const run = await t.cli([
        'app',
        'run',
        'faq-bot',
        '--input',
        '{"question":"What shoes do you sell?"}',
        '--user',
        'alice',
        '--json',
      ]);
      assert.equal(run.code, 0, run.err);
      const out = JSON.parse(run.out) as { output: { answer: string }; usage: { capabilityCalls?: number } };
      assert.equal(out.output.answer, 'Echo: What shoes do you sell?');
      const prompt = JSON.stringify(up.requests.at(-1)?.body ?? {});
      assert.match(
        prompt,
        /Trail Runner Shoes \(SKU-1001\)/,
        'the app read the product catalog through ctx.data.query',
      );
    } finally {
      await t.close();
      await up.close();
    }
  });

  it('the example policies pass their own tests', async () => {
    const t = await startTestGatehouse({ seed: false });
    try {
      const r = await t.cli(['policy', 'test', repoPath('examples', 'policies')]);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /\b(\d+) passed, 0 failed/);
    } finally {
      await t.close();
    }
  });
});
