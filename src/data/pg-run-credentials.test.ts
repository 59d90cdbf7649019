// Per-run PostgreSQL roles: exactly the approved column grants (read back from the engine's catalog), queries under
// the role cannot read other columns, the role is gone after the run, and a restarted server sweeps expired roles.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { POSTGRES, suiteNeeds, TEST_PG_URL } from '../testing/requires.js';
import { PgRunCredentials, type CredentialEvent } from './pg-run-credentials.js';
import { PostgresEngine } from './postgres-engine.js';
import { postgresFixture, type DataFixture } from './testing/data-fixtures.js';

describe('per-run PostgreSQL credentials', await suiteNeeds(POSTGRES), () => {
  let f: DataFixture;
  let schema: string;
  const events: CredentialEvent[] = [];
  let creds: PgRunCredentials;
  before(async () => {
    f = await postgresFixture();
    schema = f.source.spec.schema as string;
    creds = new PgRunCredentials(TEST_PG_URL, (e) => void events.push(e));
  });
  after(async () => {
    await creds?.close();
    await f?.drop();
  });

  const grants = (role: string) =>
    f.admin(
      `SELECT column_name FROM information_schema.column_privileges WHERE grantee = '${role}' AND table_schema = '${schema}' AND table_name = 'customers' AND privilege_type = 'SELECT' ORDER BY column_name`,
    );
  const roleRow = (role: string) =>
    f.admin(`SELECT rolcanlogin, rolvaliduntil FROM pg_roles WHERE rolname = '${role}'`);

  it('creates an expiring LOGIN role with exactly the approved column grants, and drops it at run end', async () => {
    const runId = `run_${process.pid}_a`;
    const expiresAt = Date.now() + 60_000;
    const { role } = await creds.issue({ runId, schema, table: 'customers', columns: ['id', 'email'], expiresAt });
    const [r] = await roleRow(role);
    assert.equal(r.rolcanlogin, true);
    assert.equal(Math.round((r.rolvaliduntil as Date).getTime() / 1000), Math.round(expiresAt / 1000));
    assert.deepEqual(
      (await grants(role)).map((g) => g.column_name),
      ['email', 'id'],
    );

    const engine = new PostgresEngine(TEST_PG_URL, schema);
    try {
      const ok = await engine.run(`SELECT id, email FROM ${engine.qualify('customers')} WHERE id = 1`, [], {
        timeoutMs: 5000,
        maxRows: 10,
        role,
      });
      assert.equal(ok.length, 1);
      await assert.rejects(
        engine.run(`SELECT name FROM ${engine.qualify('customers')}`, [], { timeoutMs: 5000, maxRows: 10, role }),
        /permission denied/,
      );
    } finally {
      await engine.close();
    }

    await creds.drop(role);
    assert.equal((await roleRow(role)).length, 0);
    assert.deepEqual(
      events.filter((e) => e.role === role).map((e) => e.type),
      ['created', 'dropped'],
    );
  });

  it('a restarted server sweeps roles whose run expired (the server died mid-run)', async () => {
    const runId = `run_${process.pid}_b`;
    const expiresAt = Date.now() + 30_000;
    const { role } = await creds.issue({ runId, schema, table: 'customers', columns: ['id'], expiresAt });
    // The "crash": this instance goes away without dropping; a new one starts and sweeps.
    const restarted = new PgRunCredentials(TEST_PG_URL);
    try {
      assert.deepEqual(await restarted.sweep(expiresAt - 1_000), [], 'a live run keeps its role');
      assert.ok((await restarted.sweep(expiresAt + 1_000)).includes(role));
      assert.equal((await roleRow(role)).length, 0);
    } finally {
      await restarted.close();
    }
  });
});
