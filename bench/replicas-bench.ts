// Replica scaling and soak: requests per second through a loopback round-robin balancer to 1 Gatehouse replica and
// to 3 replicas (each its own process, sharing PostgreSQL, Redis and the coordination key), same run, same machine;
// then a fixed-rate soak against the 3 replicas printing memory and p99 per interval. Every call is a governed
// chat completion (app key, govern(), DLP, budgets on Redis, audit). REPLICAS_BENCH_SECONDS per scenario (default
// 8), REPLICAS_SOAK_MINUTES (default 1; the issue asks for 20), REPLICAS_SOAK_RPS (default 50).
import { fork, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, Agent, type Server } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

const SECONDS = Number(process.env.REPLICAS_BENCH_SECONDS ?? 8);
const SOAK_MINUTES = Number(process.env.REPLICAS_SOAK_MINUTES ?? 1);
const SOAK_RPS = Number(process.env.REPLICAS_SOAK_RPS ?? 50);
const PG_URL = process.env.GATEHOUSE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROVIDER_KEY = 'sk-replicas-bench';
const ADMIN = 'replicas-bench-admin-token-0123456789';
const BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'What does the basic plan cost for a team of five?' }],
  max_tokens: 64,
});

type Ready = { url: string; home?: string; key?: string };
const say = (s: string) => process.stdout.write(s + '\n');

async function child(): Promise<void> {
  const role = process.env.REPLICA_ROLE!;
  if (role === 'upstream') {
    const { FakeUpstream } = await import('../src/demo/fake-upstream.js');
    const up = await new FakeUpstream({ apiKey: PROVIDER_KEY, record: false }).start();
    return void process.send!({ url: up.url } satisfies Ready);
  }
  const { configSchema } = await import('../src/feature-registry.js');
  const { createGatehouse } = await import('../src/main.js');
  const { silentLogger } = await import('../src/core/logger.js');
  const home = process.env.REPLICA_HOME!;
  const first = role === 'first';
  const config = configSchema.parse({
    home,
    server: { host: '127.0.0.1', port: 0 },
    adminToken: ADMIN,
    logLevel: 'silent',
    databaseUrl: PG_URL,
    redisUrl: REDIS_URL,
    coordKey: 'replicas-bench-coordination-key-0123456789',
    seedExamples: false,
  });
  const gh = await createGatehouse(config, { logger: silentLogger, pgSchema: process.env.REPLICA_SCHEMA });
  let key: string | undefined;
  if (first) {
    const upstream = process.env.REPLICA_UPSTREAM!;
    const doc = (kind: string, name: string, spec: object) => ({
      source: 'bench',
      value: { apiVersion: 'gatehouse/v1', kind, metadata: { name }, spec },
    });
    await gh.catalog.apply(
      [
        doc('User', 'alice', { roles: ['creator'] }),
        doc('Model', 'gpt-4o-mini', {
          provider: 'openai',
          upstream: `${upstream}/v1`,
          region: 'eu',
          version: '1',
          pricing: { inputPerMTok: 0.15, outputPerMTok: 0.6 },
          environments: ['dev'],
          risk: 'low',
        }),
      ],
      'admin',
    );
    const sub = await gh.apps.submit(
      {
        apiVersion: 'gatehouse/v1',
        kind: 'App',
        metadata: { name: 'bench-bot', owner: 'alice' },
        spec: {
          purpose: 'benchmark replicas',
          environment: 'dev',
          region: 'eu',
          runtime: { tier: 'wasm', entrypoint: 'main.js' },
          models: [{ id: 'gpt-4o-mini', maxInputTokens: 1024, maxOutputTokens: 256 }],
          budgets: { dailyCostUsd: 1_000_000, requestsPerMinute: 10_000_000, tokensPerMinute: 1_000_000_000 },
        },
      },
      { 'main.js': 'export async function main() { return 1; }' },
      { user: 'alice', roles: ['creator'], groups: [] },
    );
    if (!(await gh.apps.inForce('bench-bot')))
      await gh.apps.lifecycle.transition({
        app: 'bench-bot',
        version: sub.version.version,
        from: sub.version.state,
        to: 'approved',
        actor: 'admin',
        reason: 'bench',
      });
    key = (await gh.gateway.credentials.createKey('bench-bot', undefined, 'alice')).key;
  }
  mkdirSync(join(home, 'model-keys'), { recursive: true });
  writeFileSync(join(home, 'model-keys', 'gpt-4o-mini'), PROVIDER_KEY, { mode: 0o600 });
  const server = await gh.listen();
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'cpu') {
      const c = process.cpuUsage();
      process.send!({ cpu: c.user + c.system, rss: process.memoryUsage().rss });
    }
  });
  process.send!({ url: server.url, home, key } satisfies Ready);
}

function spawnChild(env: Record<string, string>): Promise<{ proc: ChildProcess; ready: Ready }> {
  const proc = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, ...env },
    execArgv: ['--import', 'tsx'],
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (ready: Ready) => resolve({ proc, ready }));
    proc.once('exit', (code) => reject(new Error(`child ${env.REPLICA_ROLE} exited with ${code}`)));
  });
}

const ask = (p: ChildProcess) =>
  new Promise<{ cpu: number; rss: number }>((resolve) => {
    p.once('message', (m: { cpu: number; rss: number }) => resolve(m));
    p.send({ cmd: 'cpu' });
  });

/** A round-robin HTTP balancer on loopback (what nginx or a Service does in front of replicas). */
function balancer(targets: string[]): Promise<{ server: Server; url: string }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  const server = createServer((req, res) => {
    const target = new URL(targets[next++ % targets.length]);
    const up = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` }),
    ),
  );
}

async function load(
  url: string,
  key: string,
  seconds: number,
  connections = 32,
): Promise<{ rps: number; errors: number }> {
  const pool = new Pool(url, { connections });
  const end = performance.now() + seconds * 1000;
  let ok = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const r = await pool.request({
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: BODY,
        });
        await r.body.text();
        if (r.statusCode === 200) ok++;
        else errors++;
      }
    }),
  );
  await pool.close();
  return { rps: ok / seconds, errors };
}

async function main(): Promise<void> {
  const schema = `replbench_${process.pid}`;
  const upstream = await spawnChild({ REPLICA_ROLE: 'upstream' });
  const homes = [0, 1, 2].map((i) => mkdtempSync(join(tmpdir(), `gh-replica-${i}-`)));
  const replicas: { proc: ChildProcess; ready: Ready }[] = [];
  for (const [i, home] of homes.entries()) {
    if (i > 0) for (const f of ['audit-signing-key.pem', 'audit-salt']) copyFileSync(join(homes[0], f), join(home, f));
    replicas.push(
      await spawnChild({
        REPLICA_ROLE: i === 0 ? 'first' : 'other',
        REPLICA_HOME: home,
        REPLICA_SCHEMA: schema,
        REPLICA_UPSTREAM: upstream.ready.url,
      }),
    );
  }
  const key = replicas[0].ready.key!;
  say(`Replica scaling: ${SECONDS} s per scenario, 32 connections, ${cpus().length} cores, PostgreSQL + Redis shared`);
  const rows: [string, number][] = [];
  for (const n of [1, 3]) {
    const lb = await balancer(replicas.slice(0, n).map((r) => r.ready.url));
    await load(lb.url, key, 1); // warm up
    const before = await Promise.all(replicas.slice(0, n).map((r) => ask(r.proc)));
    const r = await load(lb.url, key, SECONDS);
    const after = await Promise.all(replicas.slice(0, n).map((r) => ask(r.proc)));
    const cpuMs = after.reduce((s, a, i) => s + (a.cpu - before[i].cpu), 0) / 1000;
    const perReq = cpuMs / Math.max(1, r.rps * SECONDS);
    say(
      `  ${n} replica${n > 1 ? 's' : ' '} behind the balancer  ${r.rps.toFixed(0).padStart(6)} req/s  ` +
        `${perReq.toFixed(2)} ms CPU per request (replicas)  errors ${r.errors}`,
    );
    rows.push([`${n}`, r.rps]);
    lb.server.close();
  }
  say(`  ratio 3 : 1 = ${(rows[1][1] / rows[0][1]).toFixed(2)}x (goal 2.5x needs cores for 3 replicas)`);

  say(`Soak: ${SOAK_RPS} req/s for ${SOAK_MINUTES} min against 3 replicas; per interval: p99 and replica RSS`);
  const lb = await balancer(replicas.map((r) => r.ready.url));
  const pool = new Pool(lb.url, { connections: 16 });
  const end = performance.now() + SOAK_MINUTES * 60_000;
  const interval = Math.max(10_000, (SOAK_MINUTES * 60_000) / 6);
  let lat: number[] = [];
  let nextReport = performance.now() + interval;
  const inflight = new Set<Promise<void>>();
  while (performance.now() < end) {
    const t0 = performance.now();
    const p = pool
      .request({
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: BODY,
      })
      .then(async (r) => {
        await r.body.text();
        lat.push(performance.now() - t0);
      });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    await new Promise((r) => setTimeout(r, 1000 / SOAK_RPS));
    if (performance.now() >= nextReport) {
      lat.sort((a, b) => a - b);
      const p99 = lat[Math.floor(lat.length * 0.99)] ?? 0;
      const rss = (await Promise.all(replicas.map((r) => ask(r.proc)))).map((m) => (m.rss / 1e6).toFixed(0));
      say(
        `  t+${((performance.now() - (end - SOAK_MINUTES * 60_000)) / 1000).toFixed(0).padStart(4)} s  p99 ${p99.toFixed(1)} ms  RSS MB ${rss.join(' / ')}  (n=${lat.length})`,
      );
      lat = [];
      nextReport += interval;
    }
  }
  await Promise.all(inflight);
  await pool.close();
  lb.server.close();
  for (const r of [...replicas, upstream]) r.proc.kill();
  const { PostgresDb } = await import('../src/store/postgres-db.js');
  const db = await PostgresDb.connect(PG_URL);
  await db.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.close();
}

if (process.env.REPLICA_ROLE) await child();
else await main();
