// npm run bench:sandbox — cold start and capability round trip per sandbox tier, each beside a baseline measured
// in the same run: a fresh node:vm context and the same QuickJS run on the main thread (wasm), a plain unsandboxed
// `node -e` runner over the same pipes (container start), and a direct function call (round trip). Also how long the
// host's event loop stalls while a wasm guest spins (worker pool vs the main-thread run).
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { createContext } from 'node:vm';
import { systemClock } from '../src/core/clock.js';
import { bundleApp } from '../src/sandbox/app-bundle.js';
import { CapabilityBridge } from '../src/sandbox/capability-bridge.js';
import { ContainerTier } from '../src/sandbox/container-tier.js';
import { CONTAINER_RUNNER } from '../src/sandbox/container-runner-source.js';
import { guestScript } from '../src/sandbox/guest-script.js';
import { hostCall } from '../src/sandbox/host-call.js';
import { RunTokens } from '../src/sandbox/run-token.js';
import { FakeGovernor, FakeLlm, MemoryAudit, MemoryTelemetry, testManifest } from '../src/sandbox/sandbox-fakes.js';
import type { Bridge, SandboxTier } from '../src/sandbox/tier.js';
import { runGuest } from '../src/sandbox/wasm-guest.js';
import { loadGatedModule } from '../src/sandbox/wasm-heap.js';
import { WasmTier } from '../src/sandbox/wasm-tier.js';
import { MemoryApps } from '../src/apps/testing/memory-apps.js';
import { MemoryCatalog } from '../src/catalog/testing/memory-catalog.js';

const limits = { timeoutMs: 30_000, memoryMb: 128, maxOutputBytes: 1_000_000 };
const noopBridge: Bridge = { call: async () => null };

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(3)} ms  p95 ${q(0.95).toFixed(3)} ms  (n=${s.length})`;
}
async function time(n: number, f: () => Promise<unknown> | unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    out.push(performance.now() - t0);
  }
  return out;
}

/** The container runner without any sandbox: Node's own start plus the same protocol, for the overhead baseline. */
function plainRunner(script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['-e', CONTAINER_RUNNER], { stdio: ['pipe', 'pipe', 'inherit'], env: {} });
    c.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('"t":"done"')) c.kill('SIGKILL');
    });
    c.on('close', () => resolve());
    c.on('error', reject);
    c.stdin.write(JSON.stringify({ t: 'start', script, input: 'null' }) + '\n');
  });
}

async function main(): Promise<void> {
  const trivial = await bundleApp({ 'main.js': 'export default async function main(i) { return 1 }' }, 'main.js');
  const loop = (n: number) =>
    bundleApp(
      {
        'main.js': `export default async function main(i, ctx) { for (let k = 0; k < ${n}; k++) await ctx.data.query('d', {}); return ${n} }`,
      },
      'main.js',
    );
  console.log(
    `sandbox bench on ${process.platform} ${process.arch}, node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}\n`,
  );

  // wasm cold start: runtime + context (module loaded once), set up exactly as WasmTier does.
  const heap = await loadGatedModule();
  const { mod } = heap;
  const cold = await time(300, () => {
    const rt = mod.newRuntime();
    rt.setMemoryLimit(128 * 1024 * 1024);
    rt.setMaxStackSize(256 * 1024);
    rt.setInterruptHandler(() => false);
    const ctx = rt.newContext();
    ctx.dispose();
    rt.dispose();
  });
  const v8ctx = await time(300, () => createContext({}));
  console.log('wasm cold start (QuickJS runtime+context)  ', stats(cold));
  console.log('  baseline: node:vm createContext         ', stats(v8ctx));
  const wasm = new WasmTier();
  await wasm.warm();
  // Baseline: the same guest run (wasm-guest.ts) on the main thread, as the tier did before the worker pool.
  const inThread = async (c: string, bridge: Bridge, lim = limits) => {
    const t0 = performance.now();
    const r = await runGuest(
      heap,
      { code: c, inputJson: 'null', ...lim },
      (m, a, reply) => void hostCall(bridge, m, a).then(reply),
    );
    return { r, wallMs: performance.now() - t0 };
  };
  console.log(
    'wasm full trivial run via worker pool      ',
    stats(await time(200, () => wasm.run(trivial, null, noopBridge, limits))),
  );
  console.log(
    '  baseline: same run on the main thread    ',
    stats(await time(200, () => inThread(trivial, noopBridge))),
  );
  // Host responsiveness: the longest event-loop stall while a guest spins in `while(true){}` until its 1 s limit.
  const spin = await bundleApp({ 'main.js': 'export default async function main() { while (true) {} }' }, 'main.js');
  const stall = async (f: () => Promise<unknown>) => {
    // Longest gap between ticks of a 5 ms host timer while the run is in flight.
    let last = performance.now();
    let max = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      max = Math.max(max, now - last);
      last = now;
    }, 5);
    await f().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    clearInterval(tick);
    return max.toFixed(1);
  };
  const spinLimits = { ...limits, timeoutMs: 1000 };
  console.log(
    `host timer max gap while a guest spins 1 s: worker pool ${await stall(() => wasm.run(spin, null, noopBridge, spinLimits))} ms, main thread ${await stall(() => inThread(spin, noopBridge, spinLimits))} ms`,
  );

  const container = new ContainerTier();
  const avail = await container.available();
  if (!avail.ok) console.log(`container tier unavailable: ${avail.reason}`);
  else {
    const noSpare = new ContainerTier({ spareLauncher: false });
    await container.run(trivial, null, noopBridge, limits);
    await noSpare.run(trivial, null, noopBridge, limits);
    const boxed: number[] = [];
    const atRunTime: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < 30; i++) {
      // Interleaved so all three see the same machine load.
      boxed.push(...(await time(1, () => container.run(trivial, null, noopBridge, limits))));
      atRunTime.push(...(await time(1, () => noSpare.run(trivial, null, noopBridge, limits))));
      plain.push(...(await time(1, () => plainRunner(guestScript(trivial)))));
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log('container full trivial run (bwrap+cgroup) ', stats(boxed));
    console.log('  before: launcher started at run time    ', stats(atRunTime));
    console.log('  baseline: plain node -e runner, same pipes', stats(plain));
    console.log(
      `  sandbox overhead beyond Node's own start: median ${(med(boxed) - med(plain)).toFixed(1)} ms (before: ${(med(atRunTime) - med(plain)).toFixed(1)} ms)`,
    );
    // The namespace/seccomp/uid-switch cost alone, without Node's start-up noise: /usr/bin/true with and without it.
    const bare: number[] = [];
    const wrapped: number[] = [];
    const wrap = [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      '--no-new-privs',
      '--',
      '/usr/bin/bwrap',
      '--unshare-all',
      '--unshare-user',
      '--disable-userns',
      '--die-with-parent',
      '--ro-bind',
      '/usr',
      '/usr',
      '--symlink',
      'usr/lib',
      '/lib',
      '--symlink',
      'usr/lib64',
      '/lib64',
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--size',
      '16777216',
      '--tmpfs',
      '/tmp',
      '--clearenv',
      '/usr/bin/true',
    ];
    const exec = (cmd: string, args: string[]) =>
      new Promise<void>((res) => spawn(cmd, args, { stdio: 'ignore', env: {} }).on('close', () => res()));
    for (let i = 0; i < 30; i++) {
      bare.push(...(await time(1, () => exec('/usr/bin/true', []))));
      wrapped.push(...(await time(1, () => exec('/usr/bin/setpriv', wrap))));
    }
    console.log('  namespaces+uid switch: setpriv+bwrap true', stats(wrapped));
    console.log('  baseline: spawn /usr/bin/true          ', stats(bare));
  }

  // Capability round trip: guest → bridge → guest, per call, against a direct call of the same bridge.
  const N = 20000;
  const direct = await time(1, async () => {
    for (let k = 0; k < N; k++) await noopBridge.call('data.query', { dataset: 'd', request: {} });
  });
  console.log(`\ncapability round trip (no-op bridge, ${N} calls in one run)`);
  console.log(`  baseline: direct async call          ${((direct[0] / N) * 1000).toFixed(2)} µs/call`);
  const code = await loop(N);
  const empty = await loop(0);
  const mainThread: SandboxTier = {
    name: 'wasm',
    available: async () => ({ ok: true }),
    run: async (c, _i, b) => ({
      output: null,
      usage: { cpuMs: 0, peakMemoryBytes: 0, wallMs: (await inThread(c, b)).wallMs },
    }),
  };
  const tiers: [string, SandboxTier][] = [
    ['wasm', wasm],
    ['  baseline: wasm on main thread', mainThread],
    ...(avail.ok ? [['container', container] as [string, SandboxTier]] : []),
  ];
  for (const [label, t] of tiers) {
    await t.run(code, null, noopBridge, limits); // warm-up (JIT)
    const per: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const base = (await t.run(empty, null, noopBridge, limits)).usage.wallMs;
      const r = await t.run(code, null, noopBridge, limits);
      per.push(((r.usage.wallMs - base) / N) * 1000);
    }
    per.sort((a, b) => a - b);
    console.log(
      `  ${label.padEnd(31)} median ${per[1].toFixed(2)} µs/call (runs: ${per.map((x) => x.toFixed(1)).join(', ')})`,
    );
  }

  // Governed round trip: the real CapabilityBridge (manifest check, govern() on a fake governor, audit, telemetry).
  const apps = new MemoryApps();
  const v = apps.add(testManifest('bench', { models: [{ id: 'm' }] }), { 'main.js': '' });
  const tokens = new RunTokens(systemClock);
  const { token, claims } = await tokens.issue({ app: 'bench', version: 1, user: 'u', run: 'run_bench' }, 600_000);
  const governed = () =>
    new CapabilityBridge(
      {
        governor: new FakeGovernor(),
        catalog: new MemoryCatalog(),
        audit: new MemoryAudit(),
        telemetry: new MemoryTelemetry(),
        clock: systemClock,
        tokens,
        llm: new FakeLlm(),
      },
      { runId: 'run_bench', traceId: 't', user: 'u', version: v, token, claims },
    );
  const M = 2000;
  const chat = await bundleApp(
    {
      'main.js': `export default async function main(i, ctx) { for (let k = 0; k < ${M}; k++) await ctx.llm.chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }); return 1 }`,
    },
    'main.js',
  );
  const b0 = governed();
  const d0 = await time(1, async () => {
    for (let k = 0; k < M; k++) await b0.call('llm.chat', { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  });
  console.log(`\ngoverned ctx.llm.chat round trip (fake governor + model, in-memory sinks, ${M} calls)`);
  console.log(`  baseline: direct bridge.call         ${((d0[0] / M) * 1000).toFixed(2)} µs/call`);
  for (const [label, t] of tiers) {
    await t.run(chat, null, governed(), limits); // warm-up
    const base = (await t.run(empty, null, noopBridge, limits)).usage.wallMs;
    const r = await t.run(chat, null, governed(), limits);
    console.log(`  ${label.padEnd(31)} ${(((r.usage.wallMs - base) / M) * 1000).toFixed(2)} µs/call`);
  }
  await wasm.close();
  await container.close();
}

await main();
