// Query guard overhead (parse + check + rewrite) per query beside the raw driver round trip of the same statement on
// the local PostgreSQL and MariaDB, in the same run: the guard as shipped (fast path for the common shape, the full
// parser otherwise), the full-parser path alone (the baseline), and the cached repeat. Target: <= 100 us guard
// overhead for a typical SELECT on first parse.
import { loadavg } from 'node:os';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { fastGuard } from '../src/data/sql-fast-path.js';
import { SqlGuard, type GuardRequest } from '../src/data/sql-guard.js';
import { mysqlFixture, postgresFixture, type DataFixture } from '../src/data/testing/data-fixtures.js';
import { TEST_MYSQL_URL, TEST_PG_URL } from '../src/testing/requires.js';
import type { SqlDialect } from '../src/data/masking.js';

const QUERIES: Record<string, (ph: (n: number) => string) => string> = {
  'typical SELECT': (ph) => `SELECT id, name, email FROM customers WHERE region = ${ph(1)} ORDER BY id LIMIT 50`,
  'aggregate + CTE': () =>
    'WITH r AS (SELECT region, count(*) AS n FROM customers GROUP BY region) SELECT region, n FROM r ORDER BY n DESC',
};

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function guardTimes(dialect: SqlDialect, req: GuardRequest, n: number, cacheSize: number, fast = true): number[] {
  const guard = new SqlGuard(dialect, cacheSize, fast);
  for (let i = 0; i < 200; i++) guard.check(req); // warm the parser
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    guard.check(req);
    out.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return out;
}

async function driverTimes(run: () => Promise<unknown>, n: number): Promise<number[]> {
  for (let i = 0; i < 20; i++) await run();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await run();
    out.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return out;
}

async function bench(f: DataFixture): Promise<void> {
  const d = f.dialect;
  const ph = (n: number) => (d === 'postgres' ? `$${n}` : '?');
  const table =
    f.dialect === 'postgres' ? `"${f.source.spec.schema}"."customers"` : `\`${f.source.spec.database}\`.\`customers\``;
  let raw: (sql: string) => Promise<unknown>;
  let close: () => Promise<void>;
  if (d === 'postgres') {
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    raw = (sql) => c.query(sql, sql.includes('$1') ? ['eu'] : []);
    close = () => c.end();
  } else {
    const u = new URL(TEST_MYSQL_URL);
    const c = await mysql.createConnection({
      host: u.hostname,
      port: Number(u.port || 3306),
      user: u.username,
      database: f.source.spec.database,
    });
    raw = (sql) => c.query(sql, sql.includes('?') ? ['eu'] : []);
    close = () => c.end();
  }
  for (const [name, make] of Object.entries(QUERIES)) {
    const sql = make(ph);
    const req: GuardRequest = {
      sql,
      table: 'customers',
      qualifiedTable: table,
      allowed: ['id', 'name', 'email', 'region'],
      masks: { email: 'partial' },
      rowLimit: 1000,
      tokenKey: 'k',
    };
    const guarded = new SqlGuard(d).check(req).sql;
    const g = guardTimes(d, req, 3000, 0);
    const parserOnly = guardTimes(d, req, 3000, 0, false);
    const warm = guardTimes(d, req, 3000, 1000);
    const path = fastGuard(d, { ...req, maxLimit: req.rowLimit + 1 }) ? 'fast path' : 'parser';
    const rawPlain = await driverTimes(() => raw(sql.replace('FROM customers', `FROM ${table}`)), 500);
    const rawGuarded = await driverTimes(() => raw(guarded), 500);
    const gp50 = percentile(g, 50);
    const dp50 = percentile(rawPlain, 50);
    console.log(
      `${d.padEnd(8)} ${name.padEnd(16)} guard (${path.padEnd(9)}) p50 ${gp50.toFixed(1).padStart(6)} us p99 ${percentile(g, 99).toFixed(1).padStart(6)} us ` +
        `| parser path p50 ${percentile(parserOnly, 50).toFixed(1).padStart(6)} us | cached repeat p50 ${percentile(warm, 50).toFixed(1)} us | ` +
        `driver round trip p50 ${dp50.toFixed(0).padStart(5)} us (guarded SQL ${percentile(rawGuarded, 50).toFixed(0).padStart(5)} us) | ` +
        `guard/driver ${((gp50 / dp50) * 100).toFixed(1)}% | target <= 100 us uncached: ${gp50 <= 100 ? 'met' : 'MISSED'}`,
    );
  }
  await close();
}

console.log(`data guard bench (load ${loadavg()[0].toFixed(2)} on this host); guard = parse + check + rewrite`);
for (const make of [postgresFixture, mysqlFixture]) {
  const f = await make();
  try {
    await bench(f);
  } finally {
    await f.drop();
  }
}
