// One contract suite per engine (PostgreSQL, MariaDB/MySQL, SQLite): what ctx.data.sql lets through, what it refuses,
// and that limits, timeouts, the cost guard and masking hold on the real server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GatehouseError, LimitExceededError, PolicyDeniedError } from '../core/errors.js';
import { MYSQL, POSTGRES, suiteNeeds, type Requirement } from '../testing/requires.js';
import { DataSources } from './data-sources.js';
import { DataSql } from './data-sql.js';
import { maskValue } from './masking.js';
import { mysqlFixture, postgresFixture, ROWS, sqliteFixture, type DataFixture } from './testing/data-fixtures.js';

const KEYS = { tokenKey: 'token-key', auditKey: 'audit-key' };
const ENGINES: { name: string; needs?: Requirement; make: () => Promise<DataFixture> }[] = [
  { name: 'postgres', needs: POSTGRES, make: postgresFixture },
  { name: 'mysql', needs: MYSQL, make: mysqlFixture },
  { name: 'sqlite', make: sqliteFixture },
];
const ALLOWED = ['id', 'name', 'email', 'region'];
const limits = { rowLimit: 100, timeoutMs: 5000 };

for (const e of ENGINES) {
  describe(`ctx.data.sql contract (${e.name})`, e.needs ? await suiteNeeds(e.needs) : {}, () => {
    let f: DataFixture;
    let sources: DataSources;
    let data: DataSql;
    const ph = (n: number) => (e.name === 'postgres' ? `$${n}` : '?');
    const refused = async (sql: string, why: RegExp, allowed = ALLOWED) =>
      assert.rejects(
        data.sql(f.dataset(), sql, [], allowed, limits),
        (err: unknown) => err instanceof PolicyDeniedError && why.test(err.message),
      );

    before(async () => {
      f = await e.make();
      sources = new DataSources({ sources: f.sources, home: f.home, env: {}, tokenKey: KEYS.tokenKey });
      data = new DataSql(sources, KEYS);
    });
    after(async () => {
      await sources?.close();
      await f?.drop();
    });

    it('runs a parameterized SELECT over declared columns, masking pii per its tag', async () => {
      const r = await data.sql(
        f.dataset(),
        `SELECT id, name, email FROM customers WHERE region = ${ph(1)} ORDER BY id`,
        ['us'],
        ALLOWED,
        limits,
      );
      assert.equal(r.rows.length, ROWS / 2);
      assert.deepEqual(r.columns, ['id', 'name', 'email']);
      assert.equal(Number(r.rows[0].id), 1);
      assert.equal(r.rows[0].email, maskValue('partial', 'user1@example.com', KEYS.tokenKey));
      assert.deepEqual(r.summary.maskedColumns, ['email']);
      assert.equal(r.summary.rowCount, ROWS / 2);
      assert.match(r.summary.sqlHash, /^[0-9a-f]{32}$/);
    });

    it('hash and tokenize masks give the same values on every engine', async () => {
      const ds = f.dataset([
        { name: 'id' },
        { name: 'name', mask: 'tokenize' },
        { name: 'ssn', mask: 'hash' },
        { name: 'email', mask: 'null' },
        { name: 'region', mask: 'mask' },
      ]);
      const r = await data.sql(
        ds,
        'SELECT id, name, ssn, email, region FROM customers WHERE id = 1',
        [],
        ['id', 'name', 'ssn', 'email', 'region'],
        limits,
      );
      assert.deepEqual(r.rows[0], {
        id: r.rows[0].id,
        name: maskValue('tokenize', 'Customer 1', KEYS.tokenKey),
        ssn: maskValue('hash', '123-45-1000', KEYS.tokenKey),
        email: null,
        region: '****',
      });
    });

    it('SELECT * expands to the declared columns only (the shadow view holds nothing else)', async () => {
      const r = await data.sql(f.dataset(), 'SELECT * FROM customers LIMIT 1', [], ALLOWED, limits);
      assert.deepEqual(Object.keys(r.rows[0]).sort(), [...ALLOWED].sort());
    });

    it('refuses undeclared columns, other tables, system catalogs, writes and stacked statements', async () => {
      await refused('SELECT ssn FROM customers', /column 'ssn'/);
      await refused('SELECT c.id FROM customers c JOIN secrets s ON s.id = c.id', /table 'secrets'/);
      await refused('SELECT table_name FROM information_schema.tables', /system catalog/);
      await refused('SELECT id FROM customers; DROP TABLE customers', /one statement/);
      await refused('UPDATE customers SET name = 1', /only SELECT/);
      await refused('SELECT id FROM customers WHERE name = 1 -- x', /comments/);
      await refused('SELECT id FROM customers\u037e DROP TABLE customers', /non-ASCII/);
      const check = await f.admin(
        e.name === 'sqlite'
          ? 'SELECT count(*) AS n FROM customers'
          : `SELECT count(*) AS n FROM ${f.source.spec.schema ?? f.source.spec.database}.customers`,
      );
      assert.equal(Number(check[0].n), ROWS, 'the table is intact');
    });

    it('applies the row limit (and says the result was truncated)', async () => {
      const r = await data.sql(f.dataset(), 'SELECT id FROM customers ORDER BY id LIMIT 1000', [], ALLOWED, {
        ...limits,
        rowLimit: 5,
      });
      assert.equal(r.rows.length, 5);
      assert.equal(r.truncated, true);
    });

    it('ctx.data.query works against the source, through the same guard and masks', async () => {
      const r = await data.query(
        f.dataset(),
        { columns: ['id', 'email'], where: { region: 'eu', name: 'Customer 2' } },
        ALLOWED,
        limits,
      );
      assert.deepEqual(r.rows, [{ id: r.rows[0].id, email: maskValue('partial', 'user2@example.com', KEYS.tokenKey) }]);
      await assert.rejects(data.query(f.dataset(), { columns: ['ssn'] }, ALLOWED, limits), PolicyDeniedError);
    });

    if (e.name !== 'sqlite') {
      it('stops a query at the statement timeout', async () => {
        await assert.rejects(
          data.sql(
            f.dataset(),
            'SELECT count(*) AS n FROM customers a, customers b, customers c, customers d, customers e, customers f',
            [],
            ALLOWED,
            { rowLimit: 10, timeoutMs: 200 },
          ),
          LimitExceededError,
        );
      });

      it('refuses a plan whose EXPLAIN estimate is above maxQueryCost', async () => {
        await assert.rejects(
          data.sql(f.dataset(), 'SELECT count(*) AS n FROM customers a, customers b, customers c', [], ALLOWED, {
            ...limits,
            maxQueryCost: 100,
          }),
          (err: unknown) => err instanceof GatehouseError && /maxQueryCost 100/.test(err.message),
        );
        const ok = await data.sql(f.dataset(), 'SELECT id FROM customers WHERE id = 1', [], ALLOWED, {
          ...limits,
          maxQueryCost: 1e9,
        });
        assert.equal(ok.rows.length, 1);
        assert.ok((ok.summary.cost ?? 0) > 0);
      });
    }
  });
}
