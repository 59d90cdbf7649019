// Per-run database credentials, one contract suite for PostgreSQL and MariaDB/MySQL: the login exists with exactly the
// approved column grants (read back from the engine's catalog), the database itself refuses every other column and
// any write even to someone holding the password, it is gone after the run, and sweepers drop expired users and users
// whose server died while keeping a live server's (and names they did not make).
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { after, before, describe, it } from 'node:test';
import { MYSQL, POSTGRES, suiteNeeds, TEST_MYSQL_URL, TEST_PG_URL, type Requirement } from '../testing/requires.js';
import { DataSources } from './data-sources.js';
import type { CredentialEvent, RunLogin } from './run-credentials.js';
import { mysqlFixture, postgresFixture, type DataFixture } from './testing/data-fixtures.js';

interface Dialect {
  name: string;
  needs: Requirement;
  make: () => Promise<DataFixture>;
  /** Column grants of `user` on customers, from the engine's catalog. */
  grants(f: DataFixture, user: string): Promise<string[]>;
  exists(f: DataFixture, user: string): Promise<boolean>;
  /** Runs SQL on a fresh connection logged in as the run user (what a stolen password would allow). */
  asLogin(f: DataFixture, login: RunLogin, sql: string): Promise<unknown[]>;
  denied: RegExp;
  /** Admin SQL creating / dropping a user this code did not name. */
  foreign: (user: string) => { create: string; drop: string };
}

const DIALECTS: Dialect[] = [
  {
    name: 'postgres',
    needs: POSTGRES,
    make: postgresFixture,
    grants: async (f, user) =>
      (
        await f.admin(
          `SELECT column_name FROM information_schema.column_privileges WHERE grantee = '${user}' AND table_schema = '${f.source.spec.schema}' AND table_name = 'customers' AND privilege_type = 'SELECT' ORDER BY column_name`,
        )
      ).map((r) => String(r.column_name)),
    exists: async (f, user) => (await f.admin(`SELECT 1 FROM pg_roles WHERE rolname = '${user}'`)).length === 1,
    asLogin: async (f, login, sql) => {
      // Through SET ROLE (the test server trusts local logins, so a password login would prove nothing more).
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      try {
        await c.query(`SET ROLE "${login.user}"`);
        await c.query(`SET search_path = ${String(f.source.spec.schema)}`);
        return (await c.query(sql)).rows;
      } finally {
        await c.end();
      }
    },
    denied: /permission denied|must be owner/,
    foreign: (u) => ({ create: `CREATE ROLE ${u}`, drop: `DROP ROLE IF EXISTS ${u}` }),
  },
  {
    name: 'mysql',
    needs: MYSQL,
    make: mysqlFixture,
    grants: async (f, user) => {
      const db = f.source.spec.database;
      const fromIs = await f.admin(
        `SELECT COLUMN_NAME AS c FROM information_schema.COLUMN_PRIVILEGES WHERE GRANTEE = "'${user}'@'%'" AND TABLE_SCHEMA = '${db}' AND TABLE_NAME = 'customers' AND PRIVILEGE_TYPE = 'SELECT' ORDER BY COLUMN_NAME`,
      );
      const fromPriv = await f.admin(
        `SELECT Column_name AS c FROM mysql.columns_priv WHERE User = '${user}' AND Db = '${db}' AND Table_name = 'customers' ORDER BY Column_name`,
      );
      assert.deepEqual(fromPriv, fromIs, 'mysql.columns_priv and information_schema agree');
      return fromIs.map((r) => String(r.c).toLowerCase());
    },
    exists: async (f, user) => (await f.admin(`SELECT 1 FROM mysql.user WHERE User = '${user}'`)).length === 1,
    asLogin: async (f, login, sql) => {
      const u = new URL(TEST_MYSQL_URL);
      const c = await mysql.createConnection({
        host: u.hostname,
        port: Number(u.port || 3306),
        user: login.user,
        password: login.password,
        database: f.source.spec.database,
      });
      try {
        return (await c.query(sql))[0] as unknown[];
      } finally {
        await c.end();
      }
    },
    denied: /denied/,
    foreign: (u) => ({ create: `CREATE USER '${u}'@'%'`, drop: `DROP USER IF EXISTS '${u}'@'%'` }),
  },
];

for (const d of DIALECTS) {
  describe(`per-run credentials (${d.name})`, await suiteNeeds(d.needs), () => {
    let f: DataFixture;
    let server: DataSources;
    const events: CredentialEvent[] = [];
    const sourcesFor = (onCredential?: (e: CredentialEvent) => void) => {
      const source = { ...f.source, spec: { ...f.source.spec, runCredentials: true } };
      return new DataSources({
        sources: { dataSource: () => source },
        home: f.home,
        env: {},
        tokenKey: 't',
        onCredential,
      });
    };
    const grant = (runId: string, expiresAt = Date.now() + 60_000, dataset = 'customers') => ({
      runId,
      dataset,
      schema: server.engine(f.source.metadata.name).schema,
      table: 'customers',
      columns: ['id', 'email'],
      expiresAt,
    });
    const credsOf = (s: DataSources) => s.runCredentials(f.source.metadata.name)!;
    before(async () => {
      f = await d.make();
      server = sourcesFor((e) => void events.push(e));
    });
    after(async () => {
      await server?.close();
      await f?.drop();
    });

    it('gives two Datasets over one table in the same run a login each', async () => {
      const creds = credsOf(server);
      const runId = `run_${process.pid}_two`;
      const a = await creds.issue(grant(runId, undefined, 'customers'));
      const b = await creds.issue(grant(runId, undefined, 'customers-contact'));
      assert.notEqual(a.user, b.user);
      assert.ok((await d.exists(f, a.user)) && (await d.exists(f, b.user)));
      await creds.drop(a.user);
      await creds.drop(b.user);
    });

    it('issues a login with exactly the approved column grants; the engine refuses the rest, then it is dropped', async () => {
      const creds = credsOf(server);
      const login = await creds.issue(grant(`run_${process.pid}_a`));
      assert.ok(await d.exists(f, login.user));
      assert.deepEqual(await d.grants(f, login.user), ['email', 'id']);

      const engine = server.engine(f.source.metadata.name);
      const table = engine.qualify('customers');
      const opts = { timeoutMs: 5000, maxRows: 10, as: login };
      assert.equal((await engine.run(`SELECT id, email FROM ${table} WHERE id = 1`, [], opts)).length, 1);
      await assert.rejects(engine.run(`SELECT name FROM ${table}`, [], opts), d.denied);

      // The run's pool may hold both connections the login is allowed (MySQL: MAX_USER_CONNECTIONS 2); close it so
      // the direct logins below are not refused for the connection limit instead of the grants.
      await engine.forget(login.user);
      // Hostile: someone holding the password reads no other column or table and writes nothing.
      assert.equal((await d.asLogin(f, login, 'SELECT id FROM customers WHERE id = 2')).length, 1);
      await assert.rejects(d.asLogin(f, login, 'SELECT ssn FROM customers'), d.denied);
      await assert.rejects(d.asLogin(f, login, 'SELECT * FROM customers'), d.denied);
      await assert.rejects(d.asLogin(f, login, 'SELECT value FROM secrets'), d.denied);
      await assert.rejects(d.asLogin(f, login, "UPDATE customers SET email = 'x' WHERE id = 1"), d.denied);
      await assert.rejects(d.asLogin(f, login, 'DROP TABLE secrets'), d.denied);

      await creds.drop(login.user);
      assert.equal(await d.exists(f, login.user), false);
      await assert.rejects(d.asLogin(f, login, 'SELECT id FROM customers'));
      assert.deepEqual(
        events.filter((e) => e.role === login.user).map((e) => [e.type, e.runId ?? e.reason]),
        [
          ['created', `run_${process.pid}_a`],
          ['dropped', 'run ended'],
        ],
      );
    });

    it('a sweeper drops expired users and users whose server died, and keeps a live server’s', async () => {
      const live = await credsOf(server).issue(grant(`run_${process.pid}_live`));
      const expired = await credsOf(server).issue(grant(`run_${process.pid}_old`, Date.now() + 2_000));
      // A server that dies mid-run: its connections close (as on SIGKILL), its users stay behind.
      const dead = sourcesFor();
      const orphan = await credsOf(dead).issue(grant(`run_${process.pid}_dead`));
      await dead.close();

      const foreign = `gh_run_foreign_${process.pid}`;
      await f.admin(d.foreign(foreign).create);
      const restarted = sourcesFor();
      try {
        const dropped = await credsOf(restarted).sweep(Date.now() + 5_000);
        assert.ok(dropped.includes(orphan.user), 'the dead server’s user is swept before its expiry');
        assert.ok(dropped.includes(expired.user), 'an expired user is swept');
        assert.ok(!dropped.includes(live.user), 'a live server’s unexpired user is kept');
        assert.equal(await d.exists(f, orphan.user), false);
        assert.equal(await d.exists(f, expired.user), false);
        assert.equal(await d.exists(f, live.user), true);
        assert.ok(!dropped.includes(foreign), 'a name this code did not make is left alone');
        assert.equal(await d.exists(f, foreign), true);
      } finally {
        await f.admin(d.foreign(foreign).drop);
        await restarted.close();
        await credsOf(server).drop(live.user);
      }
    });
  });
}
