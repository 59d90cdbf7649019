// One contract suite for every available tier (wasm, container): results, ctx, errors, limits, no ambient authority.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleApp } from './app-bundle.js';
import { ContainerTier } from './container-tier.js';
import { AppRunError, type Bridge, type RunLimits, type SandboxTier } from './tier.js';
import { WasmTier } from './wasm-tier.js';
import { PolicyDeniedError } from '../core/errors.js';
import { CONTAINER_TIER, suiteNeeds } from '../testing/requires.js';

const tiers: SandboxTier[] = [new WasmTier(), new ContainerTier()];
const limits: RunLimits = { timeoutMs: 1500, memoryMb: 64, maxOutputBytes: 100_000 };

class RecordingBridge implements Bridge {
  calls: { method: string; args: unknown }[] = [];
  async call(method: string, args: unknown): Promise<unknown> {
    this.calls.push({ method, args });
    if (method === 'http.fetch')
      throw new PolicyDeniedError("net.egress on 'evil.example' denied by policy 'no-egress': nope", {
        policy: 'no-egress',
      });
    if (method === 'llm.chat')
      return { content: `echo:${(args as { messages: { content: string }[] }).messages[0].content}` };
    return null;
  }
}

const js = (src: string) => bundleApp({ 'main.js': src }, 'main.js');

async function failure(p: Promise<unknown>): Promise<AppRunError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppRunError, `expected AppRunError, got ${String(err)}`);
  return err;
}

const containerNeeds = await suiteNeeds(CONTAINER_TIER);

for (const tier of tiers) {
  describe(`sandbox tier contract: ${tier.name}`, tier.name === 'container' ? containerNeeds : {}, () => {
    it('is available on this host', async () => {
      const a = await tier.available();
      assert.equal(a.ok, true, a.reason);
    });

    it('runs main(input, ctx) and returns its JSON output with usage', async () => {
      const r = await tier.run(
        await js('export default async function main(input) { return { doubled: input.n * 2, tag: "ok" } }'),
        { n: 21 },
        new RecordingBridge(),
        limits,
      );
      assert.deepEqual(r.output, { doubled: 42, tag: 'ok' });
      assert.ok(r.usage.wallMs > 0);
      assert.equal(typeof r.usage.cpuMs, 'number');
      assert.equal(typeof r.usage.peakMemoryBytes, 'number');
    });

    it('runs TypeScript apps that import their own files', async () => {
      const code = await bundleApp(
        {
          'main.ts':
            "import { add } from './lib';\nexport default async function main(i: { a: number }): Promise<number> { return add(i.a, 1) }",
          'lib.ts': 'export const add = (a: number, b: number): number => a + b;',
        },
        'main.ts',
      );
      assert.equal((await tier.run(code, { a: 1 }, new RecordingBridge(), limits)).output, 2);
    });

    it('carries ctx calls over the bridge as plain JSON and returns the result', async () => {
      const bridge = new RecordingBridge();
      const r = await tier.run(
        await js(
          'export default async function main(i, ctx) { ctx.log("hello", {n: 1}); const a = await ctx.llm.chat({ model: "m", messages: [{ role: "user", content: "hi" }] }); return a.content }',
        ),
        null,
        bridge,
        limits,
      );
      assert.equal(r.output, 'echo:hi');
      assert.deepEqual(bridge.calls.map((c) => c.method).sort(), ['llm.chat', 'log']);
    });

    it('turns a denied capability into a guest Error naming the policy', async () => {
      const r = await tier.run(
        await js(
          'export default async function main(i, ctx) { try { await ctx.http.fetch("https://evil.example/") } catch (e) { return { msg: e.message, isError: e instanceof Error, code: e.code } } }',
        ),
        null,
        new RecordingBridge(),
        limits,
      );
      const out = r.output as { msg: string; isError: boolean; code: string };
      assert.match(out.msg, /no-egress/);
      assert.equal(out.isError, true);
      assert.equal(out.code, 'policy_denied');
    });

    it('reports an app error with its message', async () => {
      const e = await failure(
        tier.run(
          await js('export default async function main() { throw new Error("bad input: name missing") }'),
          null,
          new RecordingBridge(),
          limits,
        ),
      );
      assert.equal(e.failure, 'error');
      assert.match(e.message, /bad input: name missing/);
    });

    it('refuses an app without a default export', async () => {
      const e = await failure(tier.run(await js('export const x = 1'), null, new RecordingBridge(), limits));
      assert.match(e.message, /export default async function main/);
    });

    it('has no ambient authority: no process, require, fetch, timers, shared memory or wasm', async () => {
      const r = await tier.run(
        await js(
          'export default async function main() { return [typeof process, typeof globalThis.require, typeof fetch, typeof setTimeout, typeof setInterval, typeof SharedArrayBuffer, typeof Atomics, typeof WebAssembly, typeof __gh_call_host, typeof Buffer] }',
        ),
        null,
        new RecordingBridge(),
        limits,
      );
      assert.deepEqual(r.output, Array(10).fill('undefined'));
    });

    it('stops an infinite loop at the time limit', async () => {
      const e = await failure(
        tier.run(await js('export default async function main() { for (;;) {} }'), null, new RecordingBridge(), {
          ...limits,
          timeoutMs: 500,
        }),
      );
      assert.equal(e.failure, 'timeout');
    });

    it('stops a memory bomb at the memory limit', async () => {
      const e = await failure(
        tier.run(
          await js(
            'export default async function main() { const a = []; for (;;) a.push(new Array(10000).fill(a.length)) }',
          ),
          null,
          new RecordingBridge(),
          { ...limits, timeoutMs: 10_000 },
        ),
      );
      assert.equal(e.failure, 'memory');
    });

    it('refuses output larger than the limit', async () => {
      const e = await failure(
        tier.run(
          await js('export default async function main() { return "x".repeat(200000) }'),
          null,
          new RecordingBridge(),
          limits,
        ),
      );
      assert.equal(e.failure, 'output_too_large');
    });

    it('refuses output that is not JSON-serializable', async () => {
      const e = await failure(
        tier.run(
          await js('export default async function main() { const a = {}; a.self = a; return a }'),
          null,
          new RecordingBridge(),
          limits,
        ),
      );
      assert.match(e.message, /not JSON-serializable/);
    });
  });
}
