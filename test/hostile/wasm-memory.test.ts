// Hostile: a wasm guest under `memoryMb: 64` that allocates outside QuickJS's own accounting (ArrayBuffers, big typed
// arrays, copies, strings, capability-call payloads) must end with failure `memory` (not `timeout`), and the host
// process must not grow by more than a bounded amount, also with four such guests at once.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { bundleApp } from '../../src/sandbox/app-bundle.js';
import { AppRunError, type Bridge } from '../../src/sandbox/tier.js';
import { WasmTier } from '../../src/sandbox/wasm-tier.js';

const MB = 1024 * 1024;
const limits = { timeoutMs: 15_000, memoryMb: 64, maxOutputBytes: 100_000 };
const bridge: Bridge = { call: async () => null };
const tier = new WasmTier({ minWorkers: 1, maxWorkers: 4 });

// Growth is measured from the process as it stood before the first bomb, so memory a terminated worker has not
// given back yet counts against later cases instead of hiding their own growth.
let baselineRss = 0;
before(async () => {
  await tier.warm();
  baselineRss = process.memoryUsage().rss;
});
after(() => tier.close());

/** Peak resident set of this process while `fn` runs, above the baseline: the kernel's high-water mark (reset
 * first) and sampling every 5 ms. */
async function peakRssGrowth(fn: () => Promise<unknown>, from?: number): Promise<number> {
  const hwm = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
  let resettable = true;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    resettable = false;
  }
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    await fn();
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage().rss, resettable ? hwm() : 0);
  return peak - (from ?? baselineRss);
}

async function failureOf(src: string): Promise<AppRunError> {
  const code = await bundleApp({ 'main.js': src }, 'main.js');
  const err = await tier.run(code, null, bridge, limits).then(
    (r) => new Error(`the run succeeded: ${JSON.stringify(r.output).slice(0, 200)}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppRunError, String(err));
  return err;
}

const bombs: Record<string, string> = {
  'many 1 MB ArrayBuffers': 'const keep = []; for (;;) keep.push(new ArrayBuffer(1 << 20));',
  'ArrayBuffers while swallowing every allocation error':
    'const keep = []; for (;;) { try { keep.push(new ArrayBuffer(1 << 20)) } catch (e) {} }',
  'big typed arrays': 'const keep = []; for (;;) keep.push(new Float64Array(1 << 20));',
  'a few 50 MB ArrayBuffers':
    'const keep = []; for (let i = 0; i < 100; i++) keep.push(new ArrayBuffer(50 * 1024 * 1024)); return keep.length;',
  'filled typed-array copies':
    'const keep = []; for (;;) { const u = new Uint8Array(1 << 24); u.fill(1); keep.push(u.slice(0)); }',
  'string doubling kept alive': 'let s = "x"; const keep = []; for (;;) { s = s + s; keep.push(s); }',
  'many strings built with repeat': 'const keep = []; for (let i = 0; ; i++) keep.push(String(i).repeat(1 << 20));',
};

describe('hostile: the wasm memory limit holds on every allocation path', () => {
  for (const [name, body] of Object.entries(bombs)) {
    it(`stops ${name} with failure memory and bounded host growth`, async (t) => {
      let err: AppRunError | undefined;
      const growth = await peakRssGrowth(async () => {
        err = await failureOf(`export default async function main() { ${body} }`);
      });
      assert.ok(err);
      // A string past QuickJS's own length cap fails inside the guest first ("string too long"); that is contained too.
      if (!/string/.test(name) || err.failure !== 'error') assert.equal(err.failure, 'memory', err.message);
      t.diagnostic(`host peak RSS growth: ${Math.round(growth / MB)} MB`);
      assert.ok(growth < 300 * MB, `the host grew by ${Math.round(growth / MB)} MB`);
    });
  }

  it('stops four ArrayBuffer bombs at once with failure memory and bounded host growth', async (t) => {
    let errs: AppRunError[] = [];
    const growth = await peakRssGrowth(async () => {
      errs = await Promise.all(
        Array.from({ length: 4 }, () =>
          failureOf('export default async function main() { const k = []; for (;;) k.push(new ArrayBuffer(1 << 20)) }'),
        ),
      );
    });
    assert.deepEqual(
      errs.map((e) => e.failure),
      ['memory', 'memory', 'memory', 'memory'],
    );
    t.diagnostic(`host peak RSS growth: ${Math.round(growth / MB)} MB`);
    assert.ok(growth < 600 * MB, `the host grew by ${Math.round(growth / MB)} MB`);
  });

  it('cannot park memory on the host through capability calls left in flight', async (t) => {
    // Each call's argument text is just under the per-call cap; the bridge is slow, so without a cap on what is in
    // flight the host would hold all 600 of them (about 540 MB of text, more once parsed) at once.
    const slow: Bridge = { call: () => new Promise((r) => setTimeout(() => r({ content: 'late' }), 3000)) };
    const code = await bundleApp(
      {
        'main.js': `export default async function main(i, ctx) {
          const s = "y".repeat(900000);
          const calls = [];
          for (let n = 0; n < 600; n++)
            calls.push(ctx.llm.chat({ model: "m", messages: [{ role: "user", content: s }] }).then(() => "ok", (e) => e.message));
          const r = await Promise.all(calls);
          return { ok: r.filter((x) => x === "ok").length, refused: r.filter((x) => /in flight/.test(x)).length };
        }`,
      },
      'main.js',
    );
    let out: unknown;
    // Measured from this run's start: the bytes parked on this thread are the point, not what earlier cases left.
    const growth = await peakRssGrowth(async () => {
      out = (await tier.run(code, null, slow, { ...limits, timeoutMs: 60_000 })).output;
    }, process.memoryUsage().rss);
    const { ok, refused } = out as { ok: number; refused: number };
    t.diagnostic(`host peak RSS growth: ${Math.round(growth / MB)} MB`);
    assert.ok(growth < 200 * MB, `the host grew by ${Math.round(growth / MB)} MB`);
    assert.equal(ok + refused, 600);
    assert.ok(refused > 500, `only ${refused} calls were refused`);
  });

  it('does not lend a heap grown by an earlier, larger run to a later run with a smaller limit', async () => {
    const alloc = (mb: number) =>
      bundleApp(
        {
          'main.js': `export default async function main() { const k = []; for (let i = 0; i < ${mb}; i++) k.push(new Uint8Array(1 << 20)); return k.length }`,
        },
        'main.js',
      );
    const big = await tier.run(await alloc(120), null, bridge, { ...limits, memoryMb: 200 });
    assert.equal(big.output, 120);
    const err = await tier.run(await alloc(100), null, bridge, limits).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof AppRunError, 'a 64 MB run allocated 100 MB');
    assert.equal(err.failure, 'memory', err.message);
  });

  it('still runs a guest that stays under its limit, on the same pool, after the bombs', async () => {
    const code = await bundleApp(
      {
        'main.js':
          'export default async function main() { const k = []; for (let i = 0; i < 32; i++) k.push(new Uint8Array(1 << 20)); return k.length }',
      },
      'main.js',
    );
    const r = await tier.run(code, null, bridge, limits);
    assert.equal(r.output, 32);
  });
});
