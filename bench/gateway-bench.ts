// Model gateway figures: direct calls to a fake OpenAI-compatible upstream vs the same calls through Gatehouse with
// every check on (app key, govern() with the seeded policies, tokenizer, DLP on prompt and output, budgets, audit,
// cost rows), JSON and streaming, 1 and 32 connections. The upstream and the gateway run in their own processes so
// the gateway's CPU per request is its own (process.cpuUsage). GATEWAY_BENCH_SECONDS per scenario (default 4).
// Beside the chat rows: a tool-call row (a chat request offering a declared tool, answered with a tool call, JSON and
// stream) and an embeddings row (POST /v1/embeddings, four passages, 1536-dimension vectors), each with its direct row.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const PROVIDER_KEY = 'sk-bench-provider';
const SECONDS = Number(process.env.GATEWAY_BENCH_SECONDS ?? 4);
const REPLY =
  'The basic plan costs twelve dollars a month and includes five seats, email support and the reporting add-on. ' +
  'The pro plan adds single sign-on, audit exports and priority support for thirty dollars a month per workspace. Anything else?';
const PROMPT = [
  {
    role: 'system',
    content: 'You are a helpful product assistant. Answer briefly using only these products: basic, pro, enterprise.',
  },
  {
    role: 'user',
    content:
      'Hello! What does the basic plan cost, and what is included compared with the pro plan for a team of five?',
  },
];

const EMBED_MODEL = 'text-embedding-3-small';
const TOOL_PROMPT = [
  PROMPT[0],
  { role: 'user', content: 'Look up the basic plan for a team of five and tell me what it costs per month.' },
];
const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'lookup_plan',
      description: 'Look up a product plan by name and return its price and features.',
      parameters: {
        type: 'object',
        properties: { query: { type: 'string', description: 'what to look up' } },
        required: ['query'],
      },
    },
  },
];
const PASSAGES = [
  'The basic plan costs twelve dollars a month and includes five seats, email support and the reporting add-on.',
  'The pro plan adds single sign-on, audit exports and priority support for thirty dollars a month per workspace.',
  'Enterprise customers get a dedicated region, custom retention and a named support engineer.',
  'Seats can be added at any time; the invoice is prorated to the day and sent to the billing contact.',
];

/** What a row sends and how its answer is recognised (a tool call must come back as one, not as text). */
interface Workload {
  path: string;
  body: (stream: boolean) => string;
  /** The first streamed chunk that counts as the answer starting (time to first chunk). */
  first: RegExp;
  /** Present: an answer without it counts as an error. */
  expect?: RegExp;
}
const CHAT: Workload = {
  path: '/v1/chat/completions',
  body: (stream) => JSON.stringify({ model: 'gpt-4o-mini', messages: PROMPT, stream, user: 'bench-user' }),
  first: /"content":"[^"]/,
};
const TOOL_CALL: Workload = {
  path: '/v1/chat/completions',
  body: (stream) =>
    JSON.stringify({ model: 'gpt-4o-mini', messages: TOOL_PROMPT, tools: TOOLS, stream, user: 'bench-user' }),
  first: /"tool_calls"/,
  expect: /"tool_calls"/,
};
const EMBED: Workload = {
  path: '/v1/embeddings',
  body: () => JSON.stringify({ model: EMBED_MODEL, input: PASSAGES, user: 'bench-user' }),
  first: /"embedding"/,
  expect: /"embedding"/,
};

type Msg = { cmd: 'cpu' } | { cmd: 'stop' } | { cmd: 'prof'; ms: number } | { cmd: 'pace'; ms: number };
const cpuNow = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

async function upstreamChild(): Promise<void> {
  const { FakeUpstream } = await import('../src/demo/fake-upstream.js');
  const up = await new FakeUpstream({ apiKey: PROVIDER_KEY, chunkSize: 12, record: false }).start();
  up.reply = REPLY;
  up.embeddingDimensions = 1536; // text-embedding-3-small's default
  serveControl({ url: up.url }, undefined, (ms) => {
    up.chunkDelayMs = ms;
  });
}

/** The bench app's models: the chat model with the tool it may offer, and the embedding model. */
const BENCH_MODELS = [
  { id: 'gpt-4o-mini', maxInputTokens: 1024, maxOutputTokens: 256, tools: ['lookup_plan'] },
  { id: EMBED_MODEL, maxInputTokens: 1024 },
];

async function gatewayChild(upstreamUrl: string, durability = 'batch'): Promise<void> {
  const { configSchema } = await import('../src/feature-registry.js');
  const { createGatehouse } = await import('../src/main.js');
  const { silentLogger } = await import('../src/core/logger.js');
  const home = mkdtempSync(join(tmpdir(), 'gh-gw-bench-'));
  // GATEWAY_BENCH_STORE=postgres puts the store (audit, decision log, cost rows) in the local PostgreSQL server.
  const pg = process.env.GATEWAY_BENCH_STORE === 'postgres';
  const pgSchema = pg ? `gwbench_${process.pid}` : undefined;
  const config = configSchema.parse({
    home,
    server: { host: '127.0.0.1', port: 0 },
    adminToken: 'bench-admin-token-0123456789',
    logLevel: 'silent',
    seedExamples: true,
    // gateway-sync: a call's response completes only once its audit entry and cost row are committed.
    gateway: { auditDurability: durability },
    ...(pg
      ? { databaseUrl: process.env.GATEHOUSE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' }
      : {}),
  });
  const gh = await createGatehouse(config, { logger: silentLogger, pgSchema });
  await gh.catalog.apply(
    [
      {
        source: 'bench',
        value: {
          apiVersion: 'gatehouse/v1',
          kind: 'Model',
          metadata: { name: 'gpt-4o-mini' },
          spec: {
            provider: 'openai',
            upstream: `${upstreamUrl}/v1`,
            region: 'us-east-1',
            version: '2024-07-18',
            pricing: { inputPerMTok: 0.15, outputPerMTok: 0.6 },
            environments: ['dev', 'staging', 'prod'],
            risk: 'low',
          },
        },
      },
      {
        source: 'bench',
        value: {
          apiVersion: 'gatehouse/v1',
          kind: 'Model',
          metadata: { name: EMBED_MODEL },
          spec: {
            provider: 'openai',
            upstream: `${upstreamUrl}/v1`,
            region: 'us-east-1',
            version: '3',
            pricing: { inputPerMTok: 0.02, outputPerMTok: 0 },
            environments: ['dev', 'staging', 'prod'],
            risk: 'low',
          },
        },
      },
    ],
    'admin',
  );
  mkdirSync(join(home, 'model-keys'), { recursive: true });
  writeFileSync(join(home, 'model-keys', 'gpt-4o-mini'), PROVIDER_KEY, { mode: 0o600 });
  writeFileSync(join(home, 'model-keys', EMBED_MODEL), PROVIDER_KEY, { mode: 0o600 });
  const manifest = {
    apiVersion: 'gatehouse/v1',
    kind: 'App',
    metadata: { name: 'bench-bot', owner: 'alice' },
    spec: {
      purpose: 'benchmark the model gateway',
      environment: 'dev',
      region: 'eu-west-1',
      runtime: { tier: 'wasm', entrypoint: 'main.js' },
      models: BENCH_MODELS,
      budgets: {
        dailyCostUsd: 1_000_000,
        perUserDailyCostUsd: 1_000_000,
        requestsPerMinute: 10_000_000,
        tokensPerMinute: 1_000_000_000,
      },
    },
  };
  const sub = await gh.apps.submit(
    manifest,
    { 'main.js': 'export async function main(input, ctx) { return ctx.llm.chat({ messages: [] }); }' },
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
  const key = (await gh.gateway.credentials.createKey('bench-bot', undefined, 'alice')).key;
  const server = await gh.listen();
  if (process.env.GATEWAY_BENCH_TXSTATS) {
    // Diagnostic: which store transactions the platform runs per request (they fsync on the event loop with SQLite).
    const tx = gh.db.transaction.bind(gh.db);
    const counts = new Map<string, { n: number; ms: number }>();
    gh.db.transaction = (async (fn: never) => {
      const site =
        (new Error().stack ?? '')
          .split('\n')
          .slice(2)
          .find((l) => !l.includes('sqlite-db') && !l.includes('postgres-db'))
          ?.trim()
          .replace(/^at /, '')
          .replace(/\(.*\/src\//, '(')
          .slice(0, 80) ?? '?';
      const t0 = performance.now();
      try {
        return await tx(fn);
      } finally {
        const c = counts.get(site) ?? { n: 0, ms: 0 };
        c.n++;
        c.ms += performance.now() - t0;
        counts.set(site, c);
      }
    }) as typeof gh.db.transaction;
    process.on('exit', () => {
      for (const [k, v] of counts)
        process.stderr.write(`tx ${String(v.n).padStart(6)} ${v.ms.toFixed(0).padStart(7)} ms  ${k}\n`);
    });
  }
  serveControl({ url: server.url, key }, async () => {
    if (pgSchema) await gh.db.run(`DROP SCHEMA ${pgSchema} CASCADE`);
    await gh.close();
    rmSync(home, { recursive: true, force: true });
  });
}

/** Steady-state CPU profile of this process for `ms` (GATEWAY_BENCH_PROFILE=dir): where a request's time goes. */
async function profile(ms: number): Promise<void> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  await new Promise((r) => setTimeout(r, ms));
  const { profile: p } = await session.post('Profiler.stop');
  writeFileSync(join(process.env.GATEWAY_BENCH_PROFILE!, `gateway-${Date.now()}.cpuprofile`), JSON.stringify(p));
  session.disconnect();
}

/** The gateway's own cost: real app keys, govern() with the example policies (no decision log), tokenizer, DLP,
 *  budgets (in-process), upstream client and surfaces; audit, telemetry and cost rows go to in-memory sinks. */
async function gatewayCoreChild(upstreamUrl: string): Promise<void> {
  const { SqliteDb } = await import('../src/store/sqlite-db.js');
  const { migrate } = await import('../src/store/sql-db.js');
  const { gatewayMigrations } = await import('../src/gateway/gateway-migrations.js');
  const { appVersion, modelDoc } = await import('../src/gateway/testing/gateway-harness.js');
  const { MemoryCatalog } = await import('../src/catalog/testing/memory-catalog.js');
  const { MemoryApps } = await import('../src/apps/testing/memory-apps.js');
  const { createGatewayFeature } = await import('../src/gateway/gateway-feature.js');
  const { createGovernor } = await import('../src/govern/governor.js');
  const { compileBundle } = await import('../src/policy/compiler.js');
  const { PolicyEvaluator } = await import('../src/policy/evaluator.js');
  const { readPolicyDir } = await import('../src/policy/policy-files.js');
  const { MemoryCoordination } = await import('../src/coord/memory-coordination.js');
  const { createDlpEngine } = await import('../src/dlp/index.js');
  const { silentLogger } = await import('../src/core/logger.js');
  const { systemClock } = await import('../src/core/clock.js');
  const { buildApp, listen } = await import('../src/http/server.js');
  const home = mkdtempSync(join(tmpdir(), 'gh-gw-core-'));
  const db = new SqliteDb(join(home, 'gatehouse.db'));
  await migrate(db, gatewayMigrations);
  const apps = new MemoryApps();
  const catalog = new MemoryCatalog();
  catalog.put(
    modelDoc('gpt-4o-mini', 'openai', `${upstreamUrl}/v1`, { pricing: { inputPerMTok: 0.15, outputPerMTok: 0.6 } }),
  );
  catalog.put(
    modelDoc(EMBED_MODEL, 'openai', `${upstreamUrl}/v1`, { pricing: { inputPerMTok: 0.02, outputPerMTok: 0 } }),
  );
  apps.put(
    appVersion('bench-bot', {
      models: BENCH_MODELS,
      budgets: {
        dailyCostUsd: 1_000_000,
        perUserDailyCostUsd: 1_000_000,
        requestsPerMinute: 10_000_000,
        tokensPerMinute: 1_000_000_000,
      },
    }),
  );
  const ev = new PolicyEvaluator(
    compileBundle(readPolicyDir(join(fileURLToPath(new URL('..', import.meta.url)), 'examples', 'policies'))),
  );
  let audited = 0;
  const governor = createGovernor({
    catalog,
    apps,
    engine: { decide: (r) => ev.decide(r), activeRevision: ev.revision },
    sinks: [
      {
        record: () => {
          audited++;
        },
      },
    ],
    clock: systemClock,
    logger: silentLogger,
  });
  const gateway = await createGatewayFeature({
    db,
    coord: new MemoryCoordination(),
    governor,
    apps,
    catalog,
    dlp: createDlpEngine(),
    clock: systemClock,
    logger: silentLogger,
    home,
    maxBodyBytes: 1_048_576,
    env: { GATEHOUSE_MODEL_KEY_GPT_4O_MINI: PROVIDER_KEY, GATEHOUSE_MODEL_KEY_TEXT_EMBEDDING_3_SMALL: PROVIDER_KEY },
    audit: { append: async () => ({ index: audited++ }) },
    telemetry: { emit: () => {} },
  });
  const key = (await gateway.credentials.createKey('bench-bot', undefined, 'alice')).key;
  const server = await listen(
    buildApp({
      routes: gateway.routes,
      authenticate: async () => undefined,
      maxBodyBytes: 1_048_576,
      logger: silentLogger,
      version: 'bench',
      mounts: [(a) => gateway.mount(a)],
    }),
    '127.0.0.1',
    0,
  );
  serveControl({ url: server.url, key }, async () => {
    await server.close();
    await gateway.close();
    await db.close();
    rmSync(home, { recursive: true, force: true });
  });
}

let profiling: Promise<void> = Promise.resolve();

function serveControl(ready: Record<string, string>, stop?: () => Promise<void>, pace?: (ms: number) => void): void {
  process.on('message', (m: Msg) => {
    if (m.cmd === 'cpu') process.send!({ cpu: cpuNow() });
    else if (m.cmd === 'pace') {
      pace?.(m.ms);
      process.send!({ paced: m.ms });
    } else if (m.cmd === 'prof')
      profiling = profile(m.ms).catch((e: unknown) => void process.stderr.write(`profile failed: ${String(e)}\n`));
    else void profiling.then(() => (stop ?? (async () => {}))()).finally(() => process.exit(0));
  });
  process.send!({ ready });
}

function spawn(role: string, ...args: string[]): Promise<{ child: ChildProcess; ready: Record<string, string> }> {
  const child = fork(fileURLToPath(import.meta.url), [role, ...args], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { ready: Record<string, string> }) => resolve({ child, ready: m.ready }));
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m: { cpu: number }) => resolve(m.cpu));
    child.send({ cmd: 'cpu' });
  });
}

interface Result {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  ttfc50?: number;
  ttfc99?: number;
  errors: number;
  /** The first failed answer (status and the start of its body), to say why a row has errors. */
  firstError?: string;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};

async function load(
  url: string,
  key: string,
  stream: boolean,
  conns: number,
  ms: number,
  extraHeaders: Record<string, string> = {},
  work: Workload = CHAT,
): Promise<Result> {
  const pool = new Pool(url, { connections: conns, pipelining: 1 });
  const body = work.body(stream);
  const path = work.path;
  let firstError: string | undefined;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...extraHeaders };
  const lat: number[] = [];
  const ttfc: number[] = [];
  let errors = 0;
  const end = performance.now() + ms;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const res = await pool.request({ path, method: 'POST', headers, body });
      if (res.statusCode !== 200) {
        errors++;
        const text = await res.body.text();
        firstError ??= `${res.statusCode} ${text.slice(0, 200)}`;
        continue;
      }
      let ok = !work.expect;
      if (stream) {
        let first = true;
        for await (const chunk of res.body) {
          if (first || !ok) {
            const text = (chunk as Buffer).toString('utf8');
            if (first && work.first.test(text)) {
              ttfc.push(performance.now() - t0);
              first = false;
            }
            ok ||= work.expect!.test(text);
          }
        }
      } else {
        const text = await res.body.text();
        ok ||= work.expect!.test(text);
      }
      if (!ok) {
        errors++;
        firstError ??= `200 without ${String(work.expect)}`;
        continue;
      }
      lat.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conns }, worker));
  const took = (performance.now() - t0) / 1000;
  await pool.close();
  return {
    requests: lat.length,
    rps: lat.length / took,
    p50: pct(lat, 0.5),
    p99: pct(lat, 0.99),
    ...(stream ? { ttfc50: pct(ttfc, 0.5), ttfc99: pct(ttfc, 0.99) } : {}),
    errors,
    ...(firstError ? { firstError } : {}),
  };
}

async function main(): Promise<void> {
  const up = await spawn('upstream');
  const gw = await spawn('gateway', up.ready.url);
  const gws = await spawn('gateway', up.ready.url, 'sync');
  const core = await spawn('gateway-core', up.ready.url);
  const targets: Target[] = [
    { name: 'gateway', url: gw.ready.url, key: gw.ready.key, headers: {}, cpu: () => cpuOf(gw.child) },
    // auditDurability: sync, the answer waits for its audit entry and cost row (docs/gateway.md).
    { name: 'gateway-sync', url: gws.ready.url, key: gws.ready.key, headers: {}, cpu: () => cpuOf(gws.child) },
    { name: 'gateway-core', url: core.ready.url, key: core.ready.key, headers: {}, cpu: () => cpuOf(core.child) },
  ];
  const portkey = process.env.GATEWAY_BENCH_PORTKEY ? await startPortkey(process.env.GATEWAY_BENCH_PORTKEY) : undefined;
  if (portkey)
    targets.push({
      name: 'portkey',
      url: portkey.url,
      key: PROVIDER_KEY,
      // Portkey forwards to the same fake upstream as an OpenAI-compatible custom host.
      headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${up.ready.url}/v1` },
      cpu: async () => procCpuMicros(portkey.child.pid!),
    });
  const say = (s: string) => process.stdout.write(s + '\n');
  const f = (n: number | undefined, d = 2) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(d));
  say(
    `gateway bench: ${SECONDS}s per scenario after a 1s warm-up; fake upstream and gateway in separate processes; store: ${process.env.GATEWAY_BENCH_STORE === 'postgres' ? 'PostgreSQL' : 'SQLite file (synchronous=FULL)'}`,
  );
  say(
    'mode         conns  target         req/s   p50 ms  p99 ms  ttfc p50  ttfc p99  added p50  added ttfc  CPU µs/req  errors',
  );
  say('(CPU µs/req: of the process serving that row; for direct, the fake upstream itself)');
  say('(gateway: audit entries batched, auditBatchMs 100; gateway-sync: auditDurability sync, answered after commit)');
  say('(tool-*: a chat request offering the declared tool lookup_plan, answered with a tool call; embed: 4 passages)');
  // GATEWAY_BENCH_ONLY=<mode>:<conns>, e.g. json:1, tool-stream:32, embed:1 (or paced).
  const only = process.env.GATEWAY_BENCH_ONLY;
  const scenarios: Array<{ mode: string; stream: boolean; work: Workload }> = [
    { mode: 'json', stream: false, work: CHAT },
    { mode: 'stream', stream: true, work: CHAT },
    { mode: 'tool-json', stream: false, work: TOOL_CALL },
    { mode: 'tool-stream', stream: true, work: TOOL_CALL },
    { mode: 'embed', stream: false, work: EMBED },
  ];
  const firstErrors = new Map<string, string>();
  for (const { mode, stream, work } of scenarios) {
    for (const conns of [1, 32]) {
      if (only && only !== `${mode}:${conns}`) continue;
      await load(up.ready.url, PROVIDER_KEY, stream, conns, 1000, {}, work);
      const u0 = await cpuOf(up.child);
      const direct = await load(up.ready.url, PROVIDER_KEY, stream, conns, SECONDS * 1000, {}, work);
      const upCpuDirect = ((await cpuOf(up.child)) - u0) / Math.max(1, direct.requests);
      if (direct.firstError) firstErrors.set(`${mode}:${conns} direct`, direct.firstError);
      say(
        `${mode.padEnd(12)} ${String(conns).padStart(5)}  ${'direct'.padEnd(12)} ${f(direct.rps, 0).padStart(7)}  ${f(direct.p50).padStart(7)} ${f(direct.p99).padStart(7)}  ${f(direct.ttfc50).padStart(8)}  ${f(direct.ttfc99).padStart(8)}  ${''.padStart(9)}  ${''.padStart(10)}  ${f(upCpuDirect, 0).padStart(11)}  ${direct.errors}`,
      );
      for (const { name, url, key, headers, cpu: cpuNowOf } of targets) {
        await load(url, key, stream, conns, 1000, headers, work);
        const g0 = await cpuNowOf();
        if (process.env.GATEWAY_BENCH_PROFILE && name === 'gateway')
          gw.child.send({ cmd: 'prof', ms: SECONDS * 1000 - 200 });
        const via = await load(url, key, stream, conns, SECONDS * 1000, headers, work);
        const cpu = via.requests ? ((await cpuNowOf()) - g0) / via.requests : NaN;
        if (via.firstError) firstErrors.set(`${mode}:${conns} ${name}`, via.firstError);
        say(
          `${mode.padEnd(12)} ${String(conns).padStart(5)}  ${name.padEnd(12)} ${f(via.rps, 0).padStart(7)}  ${f(via.p50).padStart(7)} ${f(via.p99).padStart(7)}  ${f(via.ttfc50).padStart(8)}  ${f(via.ttfc99).padStart(8)}  ${f(via.p50 - direct.p50, 3).padStart(9)}  ${stream ? f(via.ttfc50! - direct.ttfc50!, 3).padStart(10) : ''.padStart(10)}  ${f(cpu, 0).padStart(11)}  ${via.errors}`,
        );
      }
    }
  }
  for (const [row, e] of firstErrors) say(`first error of ${row}: ${e}`);
  if (!only || only === 'paced') {
    // A model that streams like a real one (12 characters every 5 ms): output DLP holds back the trailing words that
    // could still become part of a value, so the first visible text may wait for them; the rows above show processing only.
    await new Promise((r) => {
      up.child.once('message', r);
      up.child.send({ cmd: 'pace', ms: 5 });
    });
    const direct = await load(up.ready.url, PROVIDER_KEY, true, 8, SECONDS * 1000);
    say(
      `${'paced'.padEnd(12)} ${'8'.padStart(5)}  ${'direct'.padEnd(12)} ${f(direct.rps, 0).padStart(7)}  ${f(direct.p50).padStart(7)} ${f(direct.p99).padStart(7)}  ${f(direct.ttfc50).padStart(8)}  ${f(direct.ttfc99).padStart(8)}`,
    );
    for (const { name, url, key, headers } of targets) {
      const via = await load(url, key, true, 8, SECONDS * 1000, headers);
      say(
        `${'paced'.padEnd(12)} ${'8'.padStart(5)}  ${name.padEnd(12)} ${f(via.rps, 0).padStart(7)}  ${f(via.p50).padStart(7)} ${f(via.p99).padStart(7)}  ${f(via.ttfc50).padStart(8)}  ${f(via.ttfc99).padStart(8)}  ${f(via.p50 - direct.p50, 3).padStart(9)}  ${f(via.ttfc50! - direct.ttfc50!, 3).padStart(10)}`,
      );
    }
  }
  say(
    'targets: gateway CPU ≤ 150 µs/request with every check on; added p50 ≤ 0.3 ms at 1 connection; ≤ 1 ms added to the first streamed chunk',
  );
  if (portkeyFirstError) say(`Portkey's first error (its rows count the failures): ${portkeyFirstError.trim()}`);
  if (!portkey)
    say('Portkey rows: run `bash bench/vs-portkey.sh` (installs the pinned @portkey-ai/gateway in a scratch folder)');
  say(
    `load average during the run: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} cores`,
  );
  gw.child.send({ cmd: 'stop' });
  gws.child.send({ cmd: 'stop' });
  core.child.send({ cmd: 'stop' });
  portkey?.child.kill();
  up.child.send({ cmd: 'stop' });
}

interface Target {
  name: string;
  url: string;
  key: string;
  headers: Record<string, string>;
  /** CPU µs the process serving this target has used so far. */
  cpu: () => Promise<number>;
}

/** CPU µs (user+sys) of another process, from /proc (Portkey runs its own Node without our IPC). */
function procCpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

let portkeyFirstError: string | undefined;

/** Portkey's open-source gateway (its published npm build) on a free loopback port. */
async function startPortkey(entry: string): Promise<{ child: ChildProcess; url: string }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = fork(entry, [`--port=${port}`, '--headless'], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  // Keep Portkey's first error line for the report instead of its stack traces interleaved with the table.
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    portkeyFirstError ??= d.split('\n').find((l) => l.trim()) ?? d;
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`Portkey did not answer on ${url} within 10 s (entry ${entry})`);
}

const role = process.argv[2];
if (role === 'upstream') await upstreamChild();
else if (role === 'gateway') await gatewayChild(process.argv[3], process.argv[4]);
else if (role === 'gateway-core') await gatewayCoreChild(process.argv[3]);
else await main();
