// Audit log figures on the embedded SQLite store (synchronous=FULL): durable appends with group commit vs one entry
// per transaction, inclusion proof time at 1M and 10M entries (stored subtrees vs recomputing from leaves), and full
// verification speed. Sizes: AUDIT_BENCH_SIZES (default 1000000,10000000); files under AUDIT_BENCH_DIR (default tmp).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { SqliteDb } from '../src/store/sqlite-db.js';
import { migrate } from '../src/store/sql-db.js';
import { auditMigrations } from '../src/audit/audit-migrations.js';
import { AuditLog } from '../src/audit/audit-log.js';
import { insertCheckpoint, insertEntries, subtreeCollector, type EntryRow } from '../src/audit/audit-store.js';
import { loadSigningKey } from '../src/audit/keys.js';
import {
  CompactRange,
  hashChildren,
  hashLeaf,
  inclusionProof,
  verifyInclusion,
  type Hash,
} from '../src/audit/merkle.js';
import { openCheckpoint, parseVerifierKey, signCheckpoint } from '../src/audit/note.js';
import { defaultWorkers } from '../src/audit/page-pipeline.js';
import { verifyLog, type VerifyReport } from '../src/audit/verify.js';
import { apiSource } from '../src/audit/audit-client.js';
import { auditRoutes } from '../src/audit/audit-routes.js';
import { createApiClient } from '../src/cli/cli-context.js';
import { buildApp, listen } from '../src/http/server.js';
import type { AuditEventInput } from '../src/core/sinks.js';

const sizes = (process.env.AUDIT_BENCH_SIZES ?? '1000000,10000000').split(',').map(Number);
const base = mkdtempSync(join(process.env.AUDIT_BENCH_DIR ?? tmpdir(), 'gatehouse-audit-bench-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const say = (s: string) => process.stdout.write(s + '\n');
/** CPU seconds this process used since `from` (wall time on a shared box says little on its own). */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
};

function event(i: number): AuditEventInput {
  return {
    type: 'decision',
    actor: `user${i % 97}`,
    app: `app${i % 13}`,
    appVersion: 3,
    ids: { decisionId: `dec_01jb${String(i).padStart(22, '0')}` },
    data: {
      effect: i % 10 ? 'allow' : 'deny',
      policies: ['deny_unapproved_connector', 'limit_model_tokens'],
      bundleRevision: 42,
      resource: 'model:gpt-4o',
    },
  };
}

async function appendThroughput(): Promise<void> {
  const home = join(base, 'append');
  const db = new SqliteDb(join(mkdtempSync(home), 'gatehouse.db'));
  await migrate(db, auditMigrations);
  // Baseline: one entry per transaction (and per checkpoint), appenders waiting one after another.
  let log = await AuditLog.open({ db, home, clock: systemClock, logger: silentLogger, config: { maxBatch: 1 } });
  const nBase = 1000;
  let t = performance.now();
  for (let i = 0; i < nBase; i++) await log.append(event(i));
  const baseRate = nBase / ((performance.now() - t) / 1000);
  await log.close();
  // Group commit: many appenders at once; each transaction takes up to maxBatch entries and signs one checkpoint.
  log = await AuditLog.open({ db, home, clock: systemClock, logger: silentLogger, config: { maxBatch: 5000 } });
  const n = 200_000;
  const before = (await log.checkpoints(0, 1e9)).length;
  t = performance.now();
  const cpu = process.cpuUsage();
  for (let w = 0; w < n; w += 20_000)
    await Promise.all(Array.from({ length: 20_000 }, (_, j) => log.append(event(nBase + w + j))));
  const rate = n / ((performance.now() - t) / 1000);
  const cpuS = cpuSince(cpu);
  const cps = (await log.checkpoints(0, 1e9)).length - before;
  say(
    `append (durable, fsync on): baseline 1 entry/transaction ${fmt(baseRate)} entries/s (${nBase} entries, sequential)`,
  );
  say(
    `append (durable, fsync on): group commit             ${fmt(rate)} entries/s (${fmt(n)} entries, ${cps} transactions each covered by a signed checkpoint; ${fmt(n / cpuS)} entries per CPU-second)`,
  );
  await log.close();
  await db.close();
}

/** Fast bulk path for big logs: the same rows the log writes (entries, subtree nodes, a signed checkpoint), 20k per transaction. */
async function bulkBuild(db: SqliteDb, home: string, range: CompactRange, to: number): Promise<void> {
  const key = loadSigningKey(home);
  const time = Date.parse('2026-01-01T00:00:00Z');
  const iso = new Date(time).toISOString();
  while (range.size < to) {
    const end = Math.min(to, range.size + 20_000);
    await db.transaction(async (tx) => {
      const rows: EntryRow[] = [];
      const subtrees = subtreeCollector();
      for (let i = range.size; i < end; i++) {
        // Canonical (RFC 8785) by construction: keys sorted, no spaces; avoids canonicalize() per row.
        const leaf = Buffer.from(
          `{"actor":"user${i % 97}","app":"app${i % 13}","data":{"effect":"allow","n":${i}},"ids":{"decisionId":"dec_${i}"},"seq":${i},"time":"${iso}","type":"decision","v":1}`,
        );
        const leafHash = hashLeaf(leaf);
        range.append(leafHash, subtrees.onNode);
        rows.push({ index: i, leaf, leafHash, type: 'decision', app: `app${i % 13}`, time, subtrees: subtrees.take() });
      }
      await insertEntries(tx, rows);
      if (range.size === to) {
        const root = range.root();
        await insertCheckpoint(tx, {
          size: to,
          root,
          note: signCheckpoint({ origin: 'gatehouse/audit', size: to, root }, 'gatehouse/audit', key),
          time,
        });
      }
    });
  }
}

async function proofsAndVerify(): Promise<void> {
  const home = join(base, 'big');
  const file = join(mkdtempSync(home), 'gatehouse.db');
  const db = new SqliteDb(file);
  await migrate(db, auditMigrations);
  const range = new CompactRange();
  for (const size of sizes) {
    let t = performance.now();
    await bulkBuild(db, home, range, size);
    const buildS = (performance.now() - t) / 1000;
    t = performance.now();
    const log = await AuditLog.open({ db, home, clock: systemClock, logger: silentLogger });
    // The re-check of every stored entry that opening starts (appends wait for it); done before anything is timed.
    await log.scrub();
    const recheckS = (performance.now() - t) / 1000;
    const cp = openCheckpoint((await log.latestCheckpoint())!.note, parseVerifierKey(log.verifierKey));
    say(
      `log of ${fmt(size)} entries: bulk-built to here in ${buildS.toFixed(1)} s (${fmt((size - (sizes[sizes.indexOf(size) - 1] ?? 0)) / buildS)} entries/s, one transaction per 20k); file ${(statSync(file).size / 2 ** 30).toFixed(2)} GiB`,
    );
    say(`  open with the tamper re-check of every entry (appends wait for it): ${recheckS.toFixed(1)} s`);
    // Inclusion proofs from stored subtrees: random indexes against the signed size, each checked.
    const n = 2000;
    let spent = 0;
    for (let k = 0; k < n; k++) {
      const index = Math.floor(Math.random() * size);
      t = performance.now();
      const p = await log.inclusionProof(index, size);
      spent += performance.now() - t;
      const e = await log.entry(index);
      verifyInclusion(index, size, hashLeaf(e.leaf), p.inclusionPath, cp.root);
    }
    say(
      `  inclusion proof at ${fmt(size)}: ${((spent / n) * 1000).toFixed(0)} µs mean over ${n} random indexes (stored subtrees, ${Math.ceil(Math.log2(size))} hashes)`,
    );
    if (size <= 1_000_000) {
      // Baseline: the same proof recomputed from every leaf hash (what a store without subtrees has to do).
      t = performance.now();
      const leaves = (
        await db.all<{ leaf_hash: Buffer }>('SELECT leaf_hash FROM audit_entries WHERE idx < ? ORDER BY idx', [size])
      ).map((r) => r.leaf_hash);
      const read = (level: number, index: number): Hash =>
        level === 0 ? leaves[index] : hashChildren(read(level - 1, 2 * index), read(level - 1, 2 * index + 1));
      inclusionProof(read, Math.floor(size / 3), size);
      say(`  baseline, recomputing from all leaf hashes: ${(performance.now() - t).toFixed(0)} ms for one proof`);
      // Full verification: read every entry, re-hash, rebuild the tree, check the signed root (what `audit verify` does).
      const key = parseVerifierKey(log.verifierKey);
      const timed = async (label: string, run: () => Promise<VerifyReport>) => {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const r = await run();
        const s = (performance.now() - t0) / 1000;
        if (!r.ok || r.entriesChecked !== size) throw new Error(`verification failed: ${r.problem?.message}`);
        say(
          `  ${label}: ${fmt(size / s)} entries/s (${s.toFixed(1)} s; ${fmt(size / cpuSince(c0))} entries per CPU-second)`,
        );
      };
      // Baseline: one thread reading pages through the store contract (the previous design).
      await timed('baseline, one thread through the store contract', () =>
        verifyLog({ ...log.asSource(), sqliteFile: undefined }, key, [], { workers: 0 }),
      );
      await timed(
        `full verification (store reads, leaf re-hash, seq check, tree rebuild, signature; ${defaultWorkers(size)} worker thread(s) + the caller reading the SQLite file)`,
        () => verifyLog(log.asSource(), key),
      );
      // The CLI's path: `gatehouse audit verify` fetching pages over HTTP from a server in another process (this
      // script in serve mode), as in real use; both processes share the same 2 cores.
      const server = await startServer(home, file);
      try {
        const api = createApiClient(server.url, 'bench');
        await timed(
          'baseline over HTTP, one thread (the path of `gatehouse audit verify`; server in a child process)',
          () => verifyLog(apiSource(api), key, [], { workers: 0 }),
        );
        await timed(
          `full verification over HTTP (the path of \`gatehouse audit verify\`; ${defaultWorkers(size)} worker thread(s) + the caller hashing; server in a child process)`,
          () => verifyLog(apiSource(api), key),
        );
      } finally {
        server.stop();
      }
      t = performance.now();
      const rr = new CompactRange();
      for (let i = 0; i < leaves.length; i++)
        rr.append(
          hashLeaf(
            Buffer.from(
              `{"actor":"user1","app":"app1","data":{"effect":"allow","n":${i}},"seq":${i},"type":"decision","v":1}`,
            ),
          ),
        );
      say(
        `  reference, hashing and tree rebuild alone in memory: ${fmt(size / ((performance.now() - t) / 1000))} entries/s`,
      );
    }
    await log.close();
  }
  await db.close();
}

/** Serve mode (the child the HTTP figure talks to): the audit API over the bench's log until stdin closes. */
async function serve(spec: string): Promise<void> {
  const [home, file] = spec.split('|');
  const db = new SqliteDb(file);
  const log = await AuditLog.open({ db, home, clock: systemClock, logger: silentLogger });
  await log.scrub(); // the re-check opening starts must not share the cores with the timed verification
  const app = buildApp({
    routes: auditRoutes(log),
    authenticate: async () => ({ user: 'bench', roles: ['auditor'], groups: [] }),
    maxBodyBytes: 1 << 20,
    logger: silentLogger,
    version: 'bench',
  });
  const server = await listen(app, '127.0.0.1', 0);
  say(`listening ${server.url}`);
  await new Promise((r) => process.stdin.on('end', r).resume());
  await server.close();
  await log.close();
  await db.close();
}

async function startServer(home: string, file: string): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, AUDIT_BENCH_SERVE: `${home}|${file}` },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });
  return { url, stop: () => child.stdin.end() };
}

try {
  if (process.env.AUDIT_BENCH_SERVE) {
    await serve(process.env.AUDIT_BENCH_SERVE);
  } else {
    say(
      `audit bench: SQLite (WAL, synchronous=FULL) in ${base}; node ${process.version}; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    await appendThroughput();
    await proofsAndVerify();
    say(
      `load average at the end ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (2 cores shared: figures scale with it)`,
    );
  }
} finally {
  if (!process.env.AUDIT_BENCH_KEEP) rmSync(base, { recursive: true, force: true });
}
