// The guard's fast path against the full parser, per dialect: every statement the fast path accepts, the parser path
// accepts too with byte-identical output (SQL sent, normalized SQL for the audit hash, columns, masks), over a fixed
// corpus and a seeded fuzz of token soup; attacks never take the fast path and stay refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyDeniedError } from '../core/errors.js';
import type { SqlDialect } from './masking.js';
import { fastGuard } from './sql-fast-path.js';
import { SqlGuard, type GuardRequest } from './sql-guard.js';

const ALLOWED = ['id', 'name', 'email', 'region'];
const request = (sql: string): GuardRequest => ({
  sql,
  table: 'customers',
  qualifiedTable: 'q_customers',
  allowed: ALLOWED,
  masks: { email: 'partial' },
  rowLimit: 100,
  tokenKey: 'k',
});

function outcome(g: SqlGuard, sql: string): string {
  try {
    return JSON.stringify(g.check(request(sql)));
  } catch (err) {
    if (err instanceof PolicyDeniedError) return `refused: ${err.message}`;
    throw err;
  }
}

/** A tiny seeded PRNG, so a failure reproduces. */
function rng(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
}

for (const d of ['postgres', 'mysql', 'sqlite'] as SqlDialect[]) {
  const ph = d === 'postgres' ? '$1' : '?';
  const other = d === 'postgres' ? '?' : '$1';
  const fast = new SqlGuard(d, 0, true);
  const full = new SqlGuard(d, 0, false);
  const takesFastPath = (sql: string) => fastGuard(d, { ...request(sql), maxLimit: 101 }) !== undefined;

  describe(`guard fast path (${d})`, () => {
    it('prints exactly what the parser path prints for the shapes it takes', () => {
      const corpus = [
        `SELECT id, name, email FROM customers WHERE region = ${ph} ORDER BY id LIMIT 50`,
        `select ID , Email from CUSTOMERS where region=${ph} and id >= 3 order by id desc, name`,
        'SELECT * FROM customers',
        "SELECT id FROM customers WHERE name <> 'x' AND id < 10 LIMIT 5",
        "SELECT id FROM customers WHERE name = 'a\"b' AND email = '%_?' AND region = 'x`y'",
        'SELECT id FROM customers WHERE id = -1 AND id > 1.5 AND id <= 0 ORDER BY region ASC, id DESC LIMIT 0',
        'SELECT id FROM customers LIMIT 100000',
        'SELECT region, region FROM customers',
        `\n\tSELECT   id\nFROM customers\tWHERE id=${ph}   `,
      ];
      for (const sql of corpus) {
        assert.ok(takesFastPath(sql), `fast path takes: ${sql}`);
        assert.equal(outcome(fast, sql), outcome(full, sql), sql);
      }
    });

    it('never accepts what the parser path refuses, and matches it byte for byte on a seeded fuzz', () => {
      const vocab = [
        'SELECT',
        'select',
        'FROM',
        'WHERE',
        'AND',
        'OR',
        'NOT',
        'ORDER',
        'BY',
        'ASC',
        'DESC',
        'LIMIT',
        'OFFSET',
        'UNION',
        'IN',
        'IS',
        'NULL',
        'LIKE',
        'AS',
        'JOIN',
        'ON',
        'GROUP',
        'count',
        '(',
        ')',
        ',',
        '*',
        ';',
        '=',
        '<>',
        '!=',
        '<',
        '<=',
        '>',
        '>=',
        '+',
        '-',
        '.',
        'id',
        'ID',
        'name',
        'email',
        'region',
        'ssn',
        'customers',
        'secrets',
        'pg_user',
        'information_schema.tables',
        ph,
        other,
        '1',
        '-1',
        '0',
        '01',
        '1.50',
        '2.5',
        '1e3',
        "'x'",
        "''",
        "'a''b'",
        "'$1'",
        '"id"',
        '`id`',
        'true',
        'select',
        'limit',
        'order',
      ];
      const next = rng(d.length * 7919);
      const pick = () => vocab[Math.floor(next() * vocab.length)];
      /** Mostly a token of the expected kind, sometimes anything. */
      const of = (kind: string[]) => (next() < 0.85 ? kind[Math.floor(next() * kind.length)] : pick());
      const col = () => of(['id', 'ID', 'name', 'email', 'Region', 'ssn']);
      const op = () => of(['=', '<>', '<', '<=', '>', '>=', '!=']);
      const val = () => of([ph, other, '1', '-1', '0', '-0', '01', '1.50', '2.5', "'x'", "''", "'a''b'", "'$1'"]);
      let fastHits = 0;
      for (let n = 0; n < 3000; n++) {
        // A query of the fast path's shape, then random token edits: the fuzz lives on the grammar's edges.
        const cols = () => Array.from({ length: 1 + Math.floor(next() * 3) }, col).join(', ');
        const toks = ['SELECT', next() < 0.2 ? '*' : cols(), 'FROM', next() < 0.8 ? 'customers' : pick()];
        if (next() < 0.6) toks.push('WHERE', col(), op(), val(), ...(next() < 0.4 ? ['AND', col(), op(), val()] : []));
        if (next() < 0.4) toks.push('ORDER', 'BY', col(), ...(next() < 0.5 ? [of(['ASC', 'DESC', ','])] : []));
        if (next() < 0.4) toks.push('LIMIT', of(['10', '0', '500', '1.5', '-1', ph]));
        for (let e = Math.floor(next() * 4) - 1; e > 0; e--) {
          const at = Math.floor(next() * toks.length);
          const r = next();
          if (r < 0.33) toks.splice(at, 1);
          else if (r < 0.66) toks.splice(at, 0, pick());
          else toks[at] = pick();
        }
        const sql = toks.join(next() < 0.2 ? '' : ' ');
        if (takesFastPath(sql)) fastHits++;
        const a = (() => {
          try {
            return outcome(fast, sql);
          } catch (err) {
            return `error: ${(err as Error).message}`;
          }
        })();
        const b = (() => {
          try {
            return outcome(full, sql);
          } catch (err) {
            return `error: ${(err as Error).message}`;
          }
        })();
        assert.equal(a, b, `fast and parser paths differ on: ${sql}`);
      }
      assert.ok(fastHits > 50, `the fuzz reached the fast path (${fastHits} statements)`);
    });

    it('attacks never take the fast path and stay refused', () => {
      for (const sql of [
        'SELECT ssn FROM customers',
        'SELECT id FROM secrets',
        `SELECT id FROM customers WHERE id = ${ph} OR 1 = 1`,
        'SELECT id FROM customers; DROP TABLE customers',
        'SELECT id FROM customers UNION SELECT value FROM secrets',
        'SELECT id FROM information_schema.tables',
        'SELECT id FROM customers WHERE ssn = 1',
        'SELECT id FROM customers ORDER BY ssn',
        `SELECT id FROM customers WHERE id = ${other}`,
        'SELECT "ssn" FROM customers',
        'SELECT id FROM customers LIMIT 1; SELECT 1',
      ]) {
        assert.equal(takesFastPath(sql), false, sql);
        const inconclusive = outcome(full, sql);
        assert.equal(outcome(fast, sql), inconclusive, sql);
      }
      assert.throws(() => fast.check(request('SELECT ssn FROM customers')), /column 'ssn' is not declared/);
    });
  });
}
