// The three shipped templates (templates/chatbot, summarizer, data-explorer) run unchanged in the wasm and the
// container tier, against the example catalog's kb-articles CSV and a deterministic in-process model.
import { MemoryCatalog } from '../catalog/testing/memory-catalog.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { datasetSchema } from '../catalog/catalog-schema.js';
import { systemClock } from '../core/clock.js';
import { repoPath } from '../core/repo-root.js';
import { DatasetQuery } from '../connectors/dataset-query.js';
import { AppRunner } from './app-runner.js';
import { ContainerTier } from './container-tier.js';
import { RunTokens } from './run-token.js';
import { FakeGovernor, FakeLlm, MemoryAudit, MemoryTelemetry } from './sandbox-fakes.js';
import { WasmTier } from './wasm-tier.js';
import { CONTAINER_TIER, suiteNeeds } from '../testing/requires.js';
import { MemoryApps } from '../apps/testing/memory-apps.js';

const kb = parseAllDocuments(readFileSync(repoPath('examples/catalog/data.yaml'), 'utf8'))
  .map((d) => d.toJS() as { kind: string; metadata: { name: string } })
  .find((d) => d.metadata.name === 'kb-articles');

function template(name: string, tier: 'wasm' | 'container') {
  const yaml = readFileSync(repoPath('templates', name, 'app.yaml'), 'utf8')
    .replace(/__NAME__/g, `t-${name}`)
    .replace(/__OWNER__/g, 'alice');
  const manifest = parseAllDocuments(yaml)[0].toJS() as { spec: { runtime: { tier: string; entrypoint: string } } };
  manifest.spec.runtime.tier = tier;
  return {
    manifest,
    code: {
      [manifest.spec.runtime.entrypoint]: readFileSync(
        repoPath('templates', name, manifest.spec.runtime.entrypoint),
        'utf8',
      ),
    },
  };
}

const containerNeeds = await suiteNeeds(CONTAINER_TIER);

for (const tier of ['wasm', 'container'] as const) {
  describe(`templates in the ${tier} tier`, tier === 'container' ? containerNeeds : {}, () => {
    const apps = new MemoryApps();
    for (const n of ['chatbot', 'summarizer', 'data-explorer']) {
      const t = template(n, tier);
      apps.add(t.manifest, t.code);
    }
    const llm = new FakeLlm();
    const runner = new AppRunner({
      apps,
      tiers: { wasm: new WasmTier(), container: new ContainerTier() },
      governor: new FakeGovernor(),
      audit: new MemoryAudit(),
      telemetry: new MemoryTelemetry(),
      clock: systemClock,
      tokens: new RunTokens(systemClock),
      catalog: new MemoryCatalog([datasetSchema.parse(kb)]),
      llm,
      datasets: new DatasetQuery(repoPath('examples')),
    });

    it('runs the chatbot template', async () => {
      const r = await runner.run({
        app: 't-chatbot',
        input: { message: 'where is my parcel?', team: 'support' },
        user: 'bob',
      });
      assert.deepEqual(r.output, { answer: 'You said: where is my parcel?' });
      assert.equal(llm.requests.at(-1)?.max_tokens, 300);
    });

    it('runs the summarizer template', async () => {
      const r = await runner.run({
        app: 't-summarizer',
        input: { text: 'Gatehouse governs micro apps with policies sandboxes and audit logs.' },
        user: 'bob',
      });
      assert.deepEqual(r.output, { summary: 'Summary: Gatehouse governs micro apps with' });
    });

    it('runs the data-explorer template over the kb-articles CSV', async () => {
      const r = await runner.run({
        app: 't-data-explorer',
        input: { question: 'What is the returns policy?' },
        user: 'bob',
      });
      const out = r.output as { answer: string; articles: string[] };
      assert.ok(out.articles.includes('1'), JSON.stringify(out));
      assert.equal(out.answer, 'You said: What is the returns policy?');
      assert.equal(r.usage.capabilityCalls, 2);
    });
  });
}
