// Hostile tests for the query guard, per dialect: only one read of declared columns gets through, rewritten.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyDeniedError } from '../core/errors.js';
import type { SqlDialect } from './masking.js';
import { SqlGuard, type GuardRequest } from './sql-guard.js';

const base: Omit<GuardRequest, 'sql'> = {
  table: 'customers',
  qualifiedTable: 'x.customers',
  allowed: ['id', 'name', 'email', 'region'],
  masks: { email: 'partial' },
  rowLimit: 100,
  tokenKey: 'k',
};

const HOSTILE: [string, string, RegExp][] = [
  ['a second statement', 'SELECT id FROM customers; DROP TABLE customers', /one statement/],
  ['a write', 'DELETE FROM customers', /only SELECT/],
  ['DDL', 'DROP TABLE customers', /only SELECT/],
  ['an undeclared column', 'SELECT ssn FROM customers', /column 'ssn' is not declared/],
  ['an undeclared column in WHERE', 'SELECT id FROM customers WHERE ssn = 1', /column 'ssn'/],
  ['a join to an undeclared table', 'SELECT c.id FROM customers c JOIN secrets s ON s.id = c.id', /table 'secrets'/],
  ['a subquery on an undeclared table', 'SELECT id FROM customers WHERE id IN (SELECT id FROM secrets)', /secrets/],
  ['information_schema', 'SELECT table_name FROM information_schema.tables', /system catalog|not declared/],
  ['a schema-qualified table', 'SELECT id FROM other.customers', /without a schema/],
  ['a side-effect function', 'SELECT sleep(5) FROM customers', /function 'sleep'/],
  ['an unknown function', 'SELECT load_file(name) FROM customers', /load_file/],
  ['a line comment', 'SELECT id FROM customers -- hi', /comments/],
  ['a block comment', 'SELECT id /* x */ FROM customers', /comments/],
  ['a zero-width space', 'SELECT id FROM customers\u200b', /non-ASCII/],
  ['a fullwidth semicolon', 'SELECT id FROM customers\uff1b DROP TABLE customers', /non-ASCII/],
  ['a backslash escape', "SELECT id FROM customers WHERE name = 'a\\' OR 1=1", /backslash/],
  ['a UNION', 'SELECT id FROM customers UNION SELECT id FROM customers', /UNION/],
  ['FOR UPDATE', 'SELECT id FROM customers FOR UPDATE', /FOR UPDATE|cannot read/],
  ['a CTE shadowing the table', 'WITH customers AS (SELECT 1 AS id) SELECT id FROM customers', /named like/],
  ['a LIMIT parameter', 'SELECT id FROM customers LIMIT ?', /LIMIT must be a number|cannot read/],
];

const PG_ONLY: [string, string, RegExp][] = [
  ['pg_sleep', 'SELECT pg_sleep(10) FROM customers', /pg_sleep/],
  ['pg_catalog', 'SELECT usename FROM pg_catalog.pg_user', /system catalog|pg_catalog/],
  ['pg_user', 'SELECT usename FROM pg_user', /system table/],
  [
    'a CTE with UPDATE',
    'WITH d AS (UPDATE customers SET name = 1 RETURNING id) SELECT id FROM d',
    /CTE may only SELECT/,
  ],
  ['a regclass cast', "SELECT 'pg_authid'::regclass FROM customers", /cast|cannot read/],
  ['dollar quoting', 'SELECT $$x$$ FROM customers', /dollar/],
  ['current_setting', "SELECT current_setting('a') FROM customers", /current_setting/],
  ['set_config', "SELECT set_config('a','b',false) FROM customers", /set_config/],
];

/** In MySQL "ssn" is a string; in PostgreSQL and SQLite it names a column (SQLite's parser reads a string). */
const QUOTED: [string, string, RegExp][] = [
  ['a quoted undeclared column', 'SELECT "ssn" FROM customers', /column 'ssn'/],
];

const MYSQL_ONLY: [string, string, RegExp][] = [
  ['mysql.user', 'SELECT user FROM mysql.user', /system catalog/],
  ['a hash comment', 'SELECT id FROM customers # x', /comments/],
  ['SELECT INTO OUTFILE', "SELECT id FROM customers INTO OUTFILE '/tmp/x'", /INTO|cannot read/],
  ['BENCHMARK', 'SELECT BENCHMARK(1000000, MD5(1)) FROM customers', /benchmark/i],
  ['a session variable', 'SELECT @@version FROM customers', /variables|cannot read|column/],
];

const DIALECTS: SqlDialect[] = ['postgres', 'mysql', 'sqlite'];

for (const dialect of DIALECTS) {
  describe(`SqlGuard (${dialect})`, () => {
    const guard = new SqlGuard(dialect);
    const check = (sql: string, over: Partial<GuardRequest> = {}) => guard.check({ ...base, ...over, sql });
    const extra = dialect === 'postgres' ? [...PG_ONLY, ...QUOTED] : dialect === 'mysql' ? MYSQL_ONLY : QUOTED;
    for (const [what, sql, why] of [...HOSTILE, ...extra]) {
      it(`refuses ${what}`, () => {
        assert.throws(
          () => check(sql),
          (e: unknown) => e instanceof PolicyDeniedError && why.test(e.message),
        );
      });
    }

    it('accepts a typical parameterized SELECT and wraps it in the masking shadow view', () => {
      const ph = dialect === 'postgres' ? '$1' : '?';
      const g = check(`SELECT id, lower(email) AS e FROM customers WHERE region = ${ph} ORDER BY id LIMIT 500`);
      assert.deepEqual([...g.columns].sort(), ['email', 'id', 'region']);
      assert.deepEqual(g.masked, ['email']);
      assert.match(g.sql, /^WITH .customers. AS \(SELECT .id., .name., .*AS .email., .region. FROM x\.customers\)/);
      assert.match(g.normalized, /LIMIT 101$/, 'the limit is the policy limit + 1 (to report truncation)');
    });

    it('keeps a smaller LIMIT and accepts a CTE that reads the dataset', () => {
      const g = check(
        'WITH r AS (SELECT region, count(*) AS n FROM customers GROUP BY region) SELECT region, n FROM r LIMIT 5',
      );
      assert.match(g.normalized, /LIMIT 5$/);
      assert.match(g.sql, /^WITH .customers. AS \(.*\), .r. AS/);
    });

    it('accepts ORDER BY ... DESC and remembers an accepted statement (same result, refusals still refused)', () => {
      const sql = 'SELECT region, count(*) AS n FROM customers GROUP BY region ORDER BY n DESC';
      const a = check(sql);
      assert.equal(check(sql), a);
      assert.throws(() => check('SELECT ssn FROM customers'), PolicyDeniedError);
      assert.throws(() => check('SELECT ssn FROM customers'), PolicyDeniedError);
      assert.notEqual(check(sql, { allowed: ['region'] }), a, 'a different scope is checked again');
    });

    it('SELECT * reads the shadow view, which holds only the declared columns', () => {
      const g = check('SELECT * FROM customers');
      assert.deepEqual([...g.columns].sort(), ['email', 'id', 'name', 'region']);
      assert.doesNotMatch(g.sql, /ssn/);
    });

    it('canonicalizes the table name so a differently cased table cannot bypass the shadow view', () => {
      const g = check('SELECT id FROM CUSTOMERS');
      assert.match(g.normalized, /FROM .customers./);
    });
  });
}
