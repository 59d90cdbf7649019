// Soak: one Gatehouse process (every check on, seeded policies, SQLite store, audit, DLP) under a fixed request
// rate for SOAK_MINUTES (default 20) against a fake provider in its own process. Prints, per minute, the gateway
// process's RSS and heap and the minute's p50/p99, beside the first minute as the same-run baseline, so flat
// memory and p99 (or their drift) show. SOAK_RPS (default 40), SOAK_STREAM=1 for streamed answers,
// SOAK_DURABILITY=sync for gateway.auditDurability sync.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { pointModelAt } from '../src/testing/approved-app.js';
import { forkReady } from '../src/testing/fork-ready.js';

const PROVIDER_KEY = 'sk-soak-provider';
const MINUTES = Number(process.env.SOAK_MINUTES ?? 20);
const RPS = Number(process.env.SOAK_RPS ?? 40);
const STREAM = process.env.SOAK_STREAM === '1';
const DURABILITY = process.env.SOAK_DURABILITY ?? 'batch';
/** Requests allowed in flight before new ones count as dropped (an open-loop client must not queue forever). */
const MAX_IN_FLIGHT = 256;

type Ctl = { cmd: 'mem' } | { cmd: 'stop' };

function control(ready: Record<string, string>, stop: () => Promise<void>): void {
  process.on('message', (m: Ctl) => {
    if (m.cmd === 'mem') {
      const u = process.memoryUsage();
      const c = process.cpuUsage();
      process.send!({ rss: u.rss, heap: u.heapUsed, external: u.external, cpu: c.user + c.system });
    } else void stop().finally(() => process.exit(0));
  });
  process.send!({ ready });
}

async function upstreamChild(): Promise<void> {
  const { FakeUpstream } = await import('../src/demo/fake-upstream.js');
  const up = await new FakeUpstream({ apiKey: PROVIDER_KEY, record: false }).start();
  up.reply = 'The basic plan costs twelve dollars a month and includes five seats and email support. Anything else?';
  control({ url: up.url }, () => up.close());
}

async function gatewayChild(upstreamUrl: string): Promise<void> {
  const { configSchema } = await import('../src/feature-registry.js');
  const { createGatehouse } = await import('../src/main.js');
  const { silentLogger } = await import('../src/core/logger.js');
  const home = mkdtempSync(join(tmpdir(), 'gh-soak-'));
  const config = configSchema.parse({
    home,
    server: { host: '127.0.0.1', port: 0 },
    adminToken: 'soak-admin-token-0123456789',
    logLevel: 'silent',
    seedExamples: true,
    gateway: { auditDurability: DURABILITY },
  });
  const gh = await createGatehouse(config, { logger: silentLogger });
  await pointModelAt(gh, [home], 'gpt-4o-mini', `${upstreamUrl}/v1`, PROVIDER_KEY);
  const key = (await gh.gateway.credentials.createKey('faq-bot', undefined, 'alice')).key;
  const server = await gh.listen();
  control({ url: server.url, key }, async () => {
    await server.close();
    await gh.close();
    rmSync(home, { recursive: true, force: true });
  });
}

const spawn = (role: string, ...args: string[]) =>
  forkReady<{ ready: Record<string, string> }>(new URL(import.meta.url), [role, ...args]).then(({ child, ready }) => ({
    child,
    ready: ready.ready,
  }));

const memOf = (child: ChildProcess) =>
  new Promise<{ rss: number; heap: number; external: number; cpu: number }>((resolve) => {
    child.once('message', resolve);
    child.send({ cmd: 'mem' });
  });

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};

async function main(): Promise<void> {
  const up = await spawn('upstream');
  const gw = await spawn('gateway', up.ready.url);
  const say = (s: string) => process.stdout.write(s + '\n');
  const pool = new Pool(gw.ready.url, { connections: 64 });
  const body = JSON.stringify({
    model: 'gpt-4o-mini',
    stream: STREAM,
    messages: [{ role: 'user', content: 'What does the basic plan cost? My email is jo@example.com.' }],
  });
  const headers = { authorization: `Bearer ${gw.ready.key}`, 'content-type': 'application/json' };
  say(
    `soak bench: ${MINUTES} min at ${RPS} req/s fixed rate (open loop), ${STREAM ? 'streamed' : 'JSON'} answers, auditDurability ${DURABILITY}, SQLite store; gateway and fake provider in their own processes`,
  );
  say(
    'minute  requests  errors  dropped  p50 ms  p99 ms  rss MB  heap MB  ext MB  CPU µs/req   (vs minute 1: rss, p99)',
  );
  let lat: number[] = [];
  let errors = 0;
  let dropped = 0;
  let inFlight = 0;
  const one = async () => {
    if (inFlight >= MAX_IN_FLIGHT) return void dropped++;
    inFlight++;
    const t0 = performance.now();
    try {
      const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers, body });
      await res.body.text();
      if (res.statusCode === 200) lat.push(performance.now() - t0);
      else errors++;
    } catch {
      errors++;
    } finally {
      inFlight--;
    }
  };
  const start = performance.now();
  let sent = 0;
  // Fixed rate: each tick sends what the schedule says is due, whatever the answers do.
  const tick = setInterval(() => {
    const due = Math.floor(((performance.now() - start) / 1000) * RPS);
    while (sent < due) {
      sent++;
      void one();
    }
  }, 5);
  let base: { rss: number; p99: number } | undefined;
  let cpu0 = (await memOf(gw.child)).cpu;
  for (let m = 1; m <= MINUTES; m++) {
    await new Promise((r) => setTimeout(r, start + m * 60_000 - performance.now()));
    const mem = await memOf(gw.child);
    const done = lat;
    const p99 = pct(done, 0.99);
    base ??= { rss: mem.rss, p99 };
    const cpuPer = (mem.cpu - cpu0) / Math.max(1, done.length + errors);
    cpu0 = mem.cpu;
    say(
      `${String(m).padStart(6)}  ${String(done.length).padStart(8)}  ${String(errors).padStart(6)}  ${String(dropped).padStart(7)}  ${pct(done, 0.5).toFixed(2).padStart(6)}  ${p99.toFixed(2).padStart(6)}  ${(mem.rss / 1e6).toFixed(1).padStart(6)}  ${(mem.heap / 1e6).toFixed(1).padStart(7)}  ${(mem.external / 1e6).toFixed(1).padStart(6)}  ${cpuPer.toFixed(0).padStart(10)}   (x${(mem.rss / base.rss).toFixed(2)}, x${(p99 / base.p99).toFixed(2)})`,
    );
    lat = [];
    errors = 0;
    dropped = 0;
  }
  clearInterval(tick);
  await pool.close();
  say(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} cores`,
  );
  gw.child.send({ cmd: 'stop' });
  up.child.send({ cmd: 'stop' });
}

const role = process.argv[2];
if (role === 'upstream') await upstreamChild();
else if (role === 'gateway') await gatewayChild(process.argv[3]);
else await main();
