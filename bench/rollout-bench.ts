// Rollout bench: kill-switch propagation to another replica (in-process and Redis pub/sub) beside the bare
// broadcast round trip, time to contain (first SSN event → app refused) beside bare event emission, and the
// gate's per-call cost beside a plain Map lookup. Prints figures; run with `npm run bench:rollout`.
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Coordination } from '../src/coord/coordination.js';
import { MemoryCoordination } from '../src/coord/memory-coordination.js';
import { RedisCoordination } from '../src/coord/redis-coordination.js';
import { systemClock } from '../src/core/clock.js';
import type { GovernanceRequest } from '../src/core/governance.js';
import { silentLogger } from '../src/core/logger.js';
import type { AuditSink } from '../src/core/sinks.js';
import { SqliteDb } from '../src/store/sqlite-db.js';
import { migrate } from '../src/store/sql-db.js';
import { tempDir } from '../src/testing/databases.js';
import { KillSwitches } from '../src/rollout/kill-switches.js';
import { rolloutMigrations } from '../src/rollout/rollout-migrations.js';
import { createRolloutFeature } from '../src/rollout/rollout-feature.js';
import { telemetryMigrations } from '../src/telemetry/telemetry-migrations.js';
import { createTelemetryFeature } from '../src/telemetry/telemetry-feature.js';
import { defaultTelemetryConfig } from '../src/telemetry/telemetry-config.js';
import { parseAlertRules } from '../src/telemetry/alert-rule-schema.js';

const N = Number(process.env.BENCH_N ?? 200);
const audit: AuditSink = { append: async () => ({ index: 0 }) };
const req = (app: string): GovernanceRequest => ({
  action: 'model.invoke',
  subject: { user: 'u', roles: [], groups: [], app },
  resource: { type: 'model', id: 'm', attributes: {} },
  request: {},
});

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `p50 ${q(0.5).toFixed(3)} ms  p99 ${q(0.99).toFixed(3)} ms  max ${s[s.length - 1].toFixed(3)} ms  (n=${s.length})`;
}

async function broadcastFloor(make: () => Coordination): Promise<number[]> {
  const a = make();
  const b = make();
  const out: number[] = [];
  let waiter: (() => void) | undefined;
  await b.subscribe('bench.floor', () => waiter?.());
  await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await new Promise<void>((r) => {
      waiter = r;
      void a.publish('bench.floor', String(i));
    });
    out.push(performance.now() - t0);
  }
  await a.close();
  await b.close();
  return out;
}

async function killPropagation(make: () => Coordination): Promise<{ remote: number[]; local: number[] }> {
  const home = tempDir('gh-bench-');
  const db = new SqliteDb(join(home, 'gatehouse.db'));
  await migrate(db, rolloutMigrations);
  const ca = make();
  const cb = make();
  let seen: ((ids: string[]) => void) | undefined;
  const a = new KillSwitches({ db, coord: ca, audit });
  const b = new KillSwitches({ db, coord: cb, audit, onChange: (active) => seen?.(active.map((k) => k.target)) });
  await a.start();
  await b.start();
  await new Promise((r) => setTimeout(r, 50));
  const remote: number[] = [];
  const local: number[] = [];
  for (let i = 0; i < N; i++) {
    const app = `app-${i}`;
    const t0 = performance.now();
    const arrived = new Promise<number>((r) => {
      seen = (ids) => {
        if (ids.includes(app) && b.check(req(app))) r(performance.now());
      };
    });
    const done = a.kill({ scope: 'app', target: app, reason: 'bench', actor: 'bench' });
    if (a.check(req(app))) local.push(performance.now() - t0);
    remote.push((await arrived) - t0);
    await done;
  }
  await a.stop();
  await b.stop();
  await ca.close();
  await cb.close();
  await db.close();
  rmSync(home, { recursive: true, force: true });
  return { remote, local };
}

/** Kill on this process, replica in another process (own event loop) over Redis pub/sub. */
async function killPropagationCrossProcess(url: string, pfx: string): Promise<number[]> {
  const child = fork(fileURLToPath(new URL('./rollout-replica.ts', import.meta.url)), [url, pfx], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, (at: number) => void>();
  await new Promise<void>((ready) =>
    child.on('message', (m: { ready?: boolean; target?: string; at?: number; refused?: boolean }) => {
      if (m.ready) ready();
      else if (m.target && m.refused) waiting.get(m.target)?.(m.at!);
    }),
  );
  const home = tempDir('gh-bench-');
  const db = new SqliteDb(join(home, 'gatehouse.db'));
  await migrate(db, rolloutMigrations);
  const coord = new RedisCoordination({ url, prefix: pfx });
  const a = new KillSwitches({ db, coord, audit });
  await a.start();
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const app = `xapp-${i}`;
    const arrived = new Promise<number>((r) => waiting.set(app, r));
    const t0 = performance.timeOrigin + performance.now();
    await a.kill({ scope: 'app', target: app, reason: 'bench', actor: 'bench' });
    out.push((await arrived) - t0);
  }
  child.disconnect();
  await a.stop();
  await coord.close();
  await db.close();
  rmSync(home, { recursive: true, force: true });
  return out;
}

async function timeToContain(withRule: boolean): Promise<{ wall: number[]; recorded: number[] }> {
  const home = tempDir('gh-bench-');
  const db = new SqliteDb(join(home, 'gatehouse.db'));
  await migrate(db, [...telemetryMigrations, ...rolloutMigrations]);
  const coord = new MemoryCoordination();
  const holder: { recent?: (a: string, s: number) => never[] } = {};
  let killed: ((targets: string[]) => void) | undefined;
  const rollout = await createRolloutFeature({
    db,
    coord,
    audit,
    clock: systemClock,
    logger: silentLogger,
    recentEvents: (a, s) => holder.recent?.(a, s) ?? [],
    onKillsChange: (k) => killed?.(k.map((x) => x.target)),
  });
  const tel = await createTelemetryFeature({
    db,
    coord,
    audit,
    clock: systemClock,
    logger: silentLogger,
    config: { ...defaultTelemetryConfig, processMetrics: false, flushIntervalMs: 60_000 },
    responder: rollout.service.responder(),
  });
  if (withRule) {
    await tel.alerts.apply(
      parseAlertRules([
        {
          source: 'bench',
          value: {
            apiVersion: 'gatehouse/v1',
            kind: 'AlertRule',
            metadata: { name: 'repeated-ssn-kill' },
            spec: {
              match: { kind: 'dlp.detection', attrs: { entities: 'US_SSN', direction: 'output' } },
              condition: { type: 'threshold', metric: 'count', value: 3, window: '5m' },
              actions: [{ kill: {} }],
            },
          },
        },
      ]),
      'bench',
    );
  }
  const wall: number[] = [];
  for (let i = 0; i < N; i++) {
    const app = `app-${i}`;
    const t0 = performance.now();
    const contained = withRule
      ? new Promise<void>((r) => {
          killed = (ts) => {
            if (ts.includes(app) && rollout.service.check(req(app))) r();
          };
        })
      : Promise.resolve();
    for (let k = 0; k < 3; k++)
      tel.pipeline.emit({
        kind: 'dlp.detection',
        time: Date.now(),
        app,
        metrics: { count: 1 },
        attrs: { entities: 'US_SSN', direction: 'output' },
      });
    await contained;
    wall.push(performance.now() - t0);
    await tel.alerts.idle(); // bookkeeping of this firing (snapshot, audit, store) stays out of the next figure
  }
  await tel.alerts.idle();
  const recorded = (await tel.alertStore.history({ limit: N })).map((f) => f.containMs ?? NaN);
  await tel.close();
  await rollout.close();
  await db.close();
  rmSync(home, { recursive: true, force: true });
  return { wall, recorded };
}

function gateCost(kills: number): { gate: number; map: number } {
  const ks = new KillSwitches({ db: undefined as never, coord: new MemoryCoordination(), audit });
  const apply = (ks as unknown as { apply(m: unknown): void }).apply.bind(ks);
  for (let i = 0; i < kills; i++)
    apply({
      op: 'set',
      kill: {
        id: `k${i}`,
        scope: 'app',
        target: `dead-${i}`,
        reason: 'x',
        actor: 'a',
        source: 'manual',
        setAt: 0,
        liftApprovals: [],
      },
    });
  const r = req('alive');
  const M = 1_000_000;
  let t0 = performance.now();
  for (let i = 0; i < M; i++) ks.check(r);
  const gate = ((performance.now() - t0) * 1e6) / M;
  const map = new Map<string, number>(Array.from({ length: kills }, (_, i) => [`app:dead-${i}`, i]));
  let hits = 0;
  t0 = performance.now();
  for (let i = 0; i < M; i++) if (map.get('app:alive') !== undefined) hits++;
  return { gate, map: ((performance.now() - t0) * 1e6) / M + hits * 0 };
}

const redisUrl = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bench:${randomBytes(4).toString('hex')}:`;
const transports: [string, () => Coordination][] = [
  ['in-process', () => new MemoryCoordination()],
  ['redis', () => new RedisCoordination({ url: redisUrl, prefix })],
];
const shared = new MemoryCoordination();
transports[0][1] = () => shared; // in-process replicas share one bus

console.log(`rollout bench (N=${N} per figure)`);
for (const [name, make] of transports) {
  const floor = await broadcastFloor(make);
  const { remote, local } = await killPropagation(make);
  console.log(`kill propagation, ${name}, replica in this process:  ${stats(remote)}`);
  console.log(`  baseline: bare ${name} broadcast round trip         ${stats(floor)}`);
  console.log(`  same replica refuses after                          ${stats(local)}`);
}
const cross = await killPropagationCrossProcess(redisUrl, `${prefix}x:`);
console.log(`kill propagation, redis, replica in another process:  ${stats(cross)}`);
const contained = await timeToContain(true);
const emitOnly = await timeToContain(false);
console.log(`time to contain (3rd SSN event → app refused, wall):  ${stats(contained.wall)}`);
console.log(`  recorded containMs (ms clock, first event → kill):  ${stats(contained.recorded)}`);
console.log(`  baseline: emitting the same 3 events, no rules:      ${stats(emitOnly.wall)}`);
for (const k of [0, 10_000]) {
  const c = gateCost(k);
  console.log(
    `gate check with ${String(k).padStart(5)} kills in force: ${c.gate.toFixed(1)} ns/call (baseline Map.get: ${c.map.toFixed(1)} ns)`,
  );
}
