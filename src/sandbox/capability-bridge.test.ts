// The bridge on its own: lifetime (calls after dispose, expired tokens), fail-closed governance, log limits and DLP,
// and the gateway path where the invoker governs itself (one decision per call).
import { MemoryCatalog } from '../catalog/testing/memory-catalog.js';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { datasetSchema } from '../catalog/catalog-schema.js';
import { DatasetQuery } from '../connectors/dataset-query.js';
import { tempDir } from '../testing/databases.js';
import { ManualClock } from '../core/clock.js';
import { PolicyDeniedError } from '../core/errors.js';
import type { Governor } from '../core/governance.js';
import { CapabilityBridge, type BridgeDeps } from './capability-bridge.js';
import type { LlmInvoker } from './llm-invoker.js';
import { RunTokens } from './run-token.js';
import { FakeGovernor, FakeLlm, MemoryAudit, MemoryTelemetry, testManifest } from './sandbox-fakes.js';
import { MemoryApps } from '../apps/testing/memory-apps.js';

async function make(over: Partial<BridgeDeps> = {}, spec: Record<string, unknown> = {}) {
  const clock = new ManualClock();
  const tokens = new RunTokens(clock);
  const audit = new MemoryAudit();
  const telemetry = new MemoryTelemetry();
  const governor = new FakeGovernor();
  const v = new MemoryApps().add(testManifest('app', { models: [{ id: 'm', maxOutputTokens: 50 }], ...spec }), {});
  const { token, claims } = await tokens.issue({ app: 'app', version: 1, user: 'u', run: 'run_1' }, 10_000);
  const deps: BridgeDeps = {
    governor,
    catalog: new MemoryCatalog(),
    audit,
    telemetry,
    clock,
    tokens,
    llm: new FakeLlm(),
    ...over,
  };
  return {
    bridge: new CapabilityBridge(deps, { runId: 'run_1', traceId: 'run_1', user: 'u', version: v, token, claims }),
    clock,
    audit,
    telemetry,
    governor,
    deps,
  };
}
const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 500 };

describe('capability bridge', () => {
  it('refuses and audits calls after the run is disposed', async () => {
    const { bridge, audit } = await make();
    await bridge.call('llm.chat', chat);
    bridge.dispose();
    await assert.rejects(
      bridge.call('llm.chat', chat),
      (e: unknown) => e instanceof PolicyDeniedError && /after run run_1 ended/.test(e.message),
    );
    assert.equal(audit.entries.at(-1)?.data.policy, 'run-lifetime');
    assert.equal(audit.entries.at(-1)?.ids?.runId, 'run_1');
  });

  it('refuses calls once the run token has expired', async () => {
    const { bridge, clock } = await make();
    clock.advance(11_000);
    await assert.rejects(bridge.call('llm.chat', chat), /run token for run_1 has expired/);
  });

  it('fails closed when the governor throws', async () => {
    const broken: Governor = {
      govern: async () => {
        throw new Error('boom');
      },
    };
    const { bridge } = await make({ governor: broken });
    await assert.rejects(
      bridge.call('llm.chat', chat),
      (e: unknown) => e instanceof PolicyDeniedError && /fail closed/.test(e.message),
    );
  });

  it('applies the manifest and obligation caps before the model sees the request', async () => {
    const llm = new FakeLlm();
    const { bridge, governor } = await make({ llm });
    governor.rules.push(() => ({
      effect: 'allow',
      policy: 'caps',
      reason: 'cap',
      obligations: { maxOutputTokens: 20, maxTemperature: 0.1 },
    }));
    await bridge.call('llm.chat', { ...chat, temperature: 1.5 });
    assert.equal(llm.requests[0].max_tokens, 20);
    assert.equal(llm.requests[0].temperature, 0.1);
  });

  it('does not govern twice when the invoker governs itself, and links its decision id', async () => {
    const gw: LlmInvoker = {
      governsItself: true,
      chat: async (r) => ({
        content: 'ok',
        model: r.model,
        usage: { inputTokens: 1, outputTokens: 1, costUsd: 0.01 },
        decisionId: 'dec_gateway',
      }),
    };
    const { bridge, governor, audit } = await make({ llm: gw });
    await bridge.call('llm.chat', chat);
    assert.equal(governor.inputs.length, 0);
    assert.equal(audit.entries.at(-1)?.ids?.decisionId, 'dec_gateway');
    assert.equal(bridge.usage.costUsd, 0.01);
  });

  it('redacts sensitive data in logs and caps log volume per run', async () => {
    const { bridge, telemetry } = await make({
      scanner: {
        scan: (t) => (t.includes('4111') ? ['CREDIT_CARD'] : []),
        redact: (t) => t.replace(/4111\d*/g, '[CREDIT_CARD]'),
      },
      maxLogBytes: 100,
    });
    await bridge.call('log', { args: ['card', 4111111111111111] });
    for (let i = 0; i < 10; i++) await bridge.call('log', { args: ['x'.repeat(30)] });
    const logs = telemetry.events.filter((e) => e.kind === 'app.log').map((e) => String(e.attrs?.message));
    assert.equal(logs[0], 'card [CREDIT_CARD]');
    assert.ok(logs.reduce((n, l) => n + l.length, 0) <= 100);
  });

  it('masks sensitive values in query rows before the app sees them', async () => {
    const home = tempDir('gh-bridge-');
    writeFileSync(join(home, 'people.csv'), 'team,contact\nops,ops-lead@example.com\nsales,none\n');
    const catalog = new MemoryCatalog([
      datasetSchema.parse({
        apiVersion: 'gatehouse/v1',
        kind: 'Dataset',
        metadata: { name: 'people', owner: 'd' },
        spec: {
          classification: 'internal',
          region: 'eu',
          source: { kind: 'csv', path: 'people.csv' },
          columns: [{ name: 'team' }, { name: 'contact' }],
        },
      }),
    ]);
    const scanner = {
      scan: (t: string) => (t.includes('@') ? ['EMAIL_ADDRESS'] : []),
      redact: (t: string) => t.replace(/\S+@\S+/g, '[EMAIL_ADDRESS]'),
    };
    const { bridge, telemetry } = await make(
      { catalog, datasets: new DatasetQuery(home), scanner },
      { data: [{ dataset: 'people', access: 'read', purpose: 'contacts', columns: ['team', 'contact'] }] },
    );
    const r = (await bridge.call('data.query', { dataset: 'people', request: {} })) as { rows: { contact: string }[] };
    assert.deepEqual(
      r.rows.map((x) => x.contact),
      ['[EMAIL_ADDRESS]', 'none'],
    );
    assert.equal(telemetry.events.find((e) => e.kind === 'dlp.detection')?.metrics?.count, 1);
  });

  it('rejects malformed arguments with the field path', async () => {
    const { bridge } = await make();
    await assert.rejects(bridge.call('llm.chat', { model: 'm', messages: 'hi' }), /ctx.llm.chat request: messages/);
  });
});
