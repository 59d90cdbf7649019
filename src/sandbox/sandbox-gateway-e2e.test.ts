// The shipped templates through the real composition root: submitted as a creator (auto-approved in dev), run with
// `gatehouse app run` in the wasm and the container tier, ctx.llm.chat going through the gateway's invokeModel()
// to a fake provider on 127.0.0.1, ctx.data.query reading the seeded kb-articles CSV.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { repoPath } from '../core/repo-root.js';
import { FakeUpstream } from '../demo/fake-upstream.js';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import { CONTAINER_TIER, suiteNeeds } from '../testing/requires.js';

// The set-up submits apps in both tiers, so the whole suite needs the container tier.
describe('templates end to end through the gateway', await suiteNeeds(CONTAINER_TIER), () => {
  let t: TestGatehouse;
  let up: FakeUpstream;
  let alice = '';
  before(async () => {
    up = await new FakeUpstream({ apiKey: 'sk-sandbox-e2e' }).start();
    t = await startTestGatehouse({ store: 'sqlite' });
    await t.gh.catalog.apply(
      [
        {
          source: 'test',
          value: {
            apiVersion: 'gatehouse/v1',
            kind: 'Model',
            metadata: { name: 'gpt-4o-mini-eu' },
            spec: {
              provider: 'openai',
              upstream: up.baseUrl,
              upstreamModel: 'gpt-4o-mini',
              region: 'eu-west-1',
              version: '2024-07-18',
              pricing: { inputPerMTok: 0.15, outputPerMTok: 0.6 },
              environments: ['dev', 'staging', 'prod'],
              risk: 'low',
            },
          },
        },
      ],
      'admin',
    );
    mkdirSync(join(t.home, 'model-keys'), { recursive: true });
    writeFileSync(join(t.home, 'model-keys', 'gpt-4o-mini-eu'), 'sk-sandbox-e2e\n', { mode: 0o600 });
    alice = await t.tokenFor('alice');
    for (const name of ['chatbot', 'summarizer', 'data-explorer']) {
      for (const tier of ['wasm', 'container']) {
        const manifest = parseAllDocuments(
          readFileSync(repoPath('templates', name, 'app.yaml'), 'utf8')
            .replace(/__NAME__/g, `${name}-${tier}`)
            .replace(/__OWNER__/g, 'alice'),
        )[0].toJS() as { spec: { runtime: { tier: string } } };
        manifest.spec.runtime.tier = tier;
        const r = await t.api(
          'POST',
          '/api/v1/apps',
          { manifest, code: { 'main.js': readFileSync(repoPath('templates', name, 'main.js'), 'utf8') } },
          alice,
        );
        assert.equal(r.body.state, 'approved', JSON.stringify(r.body).slice(0, 600));
      }
    }
  });
  after(async () => {
    await t.close();
    await up.close();
  });

  for (const tier of ['wasm', 'container']) {
    it(`runs the three templates in the ${tier} tier with the real gateway`, async () => {
      const chat = await t.cli(
        ['app', 'run', `chatbot-${tier}`, '--input', '{"message":"hello there"}', '--json'],
        alice,
      );
      assert.equal(chat.code, 0, chat.err);
      const c = JSON.parse(chat.out) as {
        output: { answer: string };
        usage: { costUsd: number; capabilityCalls: number };
      };
      assert.equal(c.output.answer, 'Echo: hello there');
      assert.ok(c.usage.costUsd > 0);
      const sum = await t.cli(
        ['app', 'run', `summarizer-${tier}`, '--input', '{"text":"Gatehouse runs apps in sandboxes."}', '--json'],
        alice,
      );
      assert.equal(sum.code, 0, sum.err);
      assert.equal(
        (JSON.parse(sum.out) as { output: { summary: string } }).output.summary,
        'Echo: Gatehouse runs apps in sandboxes.',
      );
      const ex = await t.cli(
        ['app', 'run', `data-explorer-${tier}`, '--input', '{"question":"What is the returns policy?"}', '--json'],
        alice,
      );
      assert.equal(ex.code, 0, ex.err);
      const e = JSON.parse(ex.out) as { output: { articles: string[] } };
      assert.ok(e.output.articles.includes('1'), ex.out);
      assert.equal(up.requests.at(-1)?.body.model, 'gpt-4o-mini');
    });
  }
});
