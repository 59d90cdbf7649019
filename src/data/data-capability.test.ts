// ctx.data.sql and DataSource-backed ctx.data.query through the capability bridge: one govern() decision per query
// with dataset, columns and purpose; obligations (rowLimit, statementTimeoutMs) applied; a value-free audit entry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryApps } from '../apps/testing/memory-apps.js';
import { ManualClock } from '../core/clock.js';
import { PolicyDeniedError } from '../core/errors.js';
import { MemoryCatalog } from '../catalog/testing/memory-catalog.js';
import { CapabilityBridge } from '../sandbox/capability-bridge.js';
import { RunTokens } from '../sandbox/run-token.js';
import { FakeGovernor, MemoryAudit, MemoryTelemetry, testManifest } from '../sandbox/sandbox-fakes.js';
import { POSTGRES, suiteNeeds } from '../testing/requires.js';
import { DataSources } from './data-sources.js';
import { DataSql } from './data-sql.js';
import { postgresFixture, type DataFixture } from './testing/data-fixtures.js';

describe('ctx.data.sql through the bridge (PostgreSQL)', await suiteNeeds(POSTGRES), () => {
  let f: DataFixture;
  let sources: DataSources;
  before(async () => {
    f = await postgresFixture();
    sources = new DataSources({ sources: f.sources, home: f.home, env: {}, tokenKey: 't' });
  });
  after(async () => {
    await sources?.close();
    await f?.drop();
  });

  async function make(governor = new FakeGovernor(), dataSql = new DataSql(sources, { tokenKey: 't', auditKey: 'a' })) {
    const clock = new ManualClock(Date.now()); // now: a run role expiring in the past would be swept by other servers
    const tokens = new RunTokens(clock);
    const audit = new MemoryAudit();
    const data = [
      { dataset: 'customers', access: 'read', columns: ['id', 'email', 'region'], purpose: 'support triage' },
    ];
    const v = new MemoryApps().add(testManifest('app', { data }), {});
    const { token, claims } = await tokens.issue({ app: 'app', version: 1, user: 'u', run: 'run_1' }, 60_000);
    const bridge = new CapabilityBridge(
      {
        governor,
        catalog: new MemoryCatalog([f.dataset()]),
        audit,
        telemetry: new MemoryTelemetry(),
        clock,
        tokens,
        dataSql,
        rowDlp: 'off',
      },
      { runId: 'run_1', traceId: 'run_1', user: 'u', version: v, token, claims },
    );
    return { bridge, audit, governor };
  }

  it('governs with the columns the SQL reads and the declared purpose, and audits without values', async () => {
    const governor = new FakeGovernor([
      (i) =>
        i.action === 'data.query'
          ? { effect: 'allow', policy: 'cap', reason: 'cap', obligations: { rowLimit: 3 } }
          : undefined,
    ]);
    const { bridge, audit } = await make(governor);
    const r = (await bridge.call('data.sql', {
      dataset: 'customers',
      sql: 'SELECT id, email FROM customers WHERE region = $1 ORDER BY id',
      params: ['eu'],
    })) as { rows: Record<string, unknown>[]; truncated: boolean };
    assert.equal(r.rows.length, 3);
    assert.equal(r.truncated, true);
    assert.match(String(r.rows[0].email), /^\*+\.com$/);
    const input = governor.inputs.find((i) => i.action === 'data.query');
    assert.deepEqual(input?.resource, { type: 'dataset', id: 'customers' });
    assert.deepEqual([...(input?.request?.columns as string[])].sort(), ['email', 'id', 'region']);
    assert.equal(input?.request?.purpose, 'support triage');
    const entry = audit.entries.find((e) => e.type === 'data.query');
    assert.ok(entry, 'a data.query audit entry');
    assert.equal(entry.data.rowCount, 3);
    assert.deepEqual(entry.data.maskedColumns, ['email']);
    assert.match(String(entry.data.sqlHash), /^[0-9a-f]{32}$/);
    assert.equal(entry.ids?.runId, 'run_1');
    const text = JSON.stringify(audit.entries);
    assert.doesNotMatch(text, /example\.com|'eu'/, 'no values in the audit');
  });

  it('refuses SQL outside the manifest columns before any decision or engine call', async () => {
    const { bridge, governor } = await make();
    await assert.rejects(
      bridge.call('data.sql', { dataset: 'customers', sql: 'SELECT name FROM customers' }),
      (e: unknown) => e instanceof PolicyDeniedError && /column 'name'/.test(e.message),
    );
    assert.equal(governor.inputs.length, 0);
  });

  it('a policy deny stops the query (fail closed), and ctx.data.query reads the source too', async () => {
    const deny = new FakeGovernor([() => ({ effect: 'deny', policy: 'purpose', reason: 'purpose not allowed' })]);
    await assert.rejects(
      (await make(deny)).bridge.call('data.sql', { dataset: 'customers', sql: 'SELECT id FROM customers' }),
      /denied by policy 'purpose'/,
    );
    const { bridge } = await make();
    const r = (await bridge.call('data.query', {
      dataset: 'customers',
      request: { columns: ['id'], where: { region: 'us' } },
    })) as { rows: unknown[] };
    assert.equal(r.rows.length, 20);
  });

  it('with runCredentials, the run queries as its own role with exactly the approved grants, dropped at run end', async () => {
    const source = { ...f.source, spec: { ...f.source.spec, runCredentials: true } };
    const runSources = new DataSources({ sources: { dataSource: () => source }, home: f.home, env: {}, tokenKey: 't' });
    try {
      const dataSql = new DataSql(runSources, { tokenKey: 't', auditKey: 'a' });
      const { bridge, audit } = await make(undefined, dataSql);
      await bridge.call('data.sql', { dataset: 'customers', sql: 'SELECT id, email FROM customers WHERE id = 1' });
      const [role] = await dataSql.runUsers('run_1');
      assert.match(role, /^gh_run_/);
      const used = audit.entries.find((e) => e.type === 'data.query');
      assert.equal(used?.data.runUser, role, 'the data.query audit entry names the run user it ran as');
      const schema = String(f.source.spec.schema);
      const grants = await f.admin(
        `SELECT column_name FROM information_schema.column_privileges WHERE grantee = '${role}' AND table_schema = '${schema}' ORDER BY column_name`,
      );
      assert.deepEqual(
        grants.map((g) => g.column_name),
        ['email', 'id', 'region'],
      );
      bridge.dispose();
      for (let i = 0; i < 50 && (await f.admin(`SELECT 1 FROM pg_roles WHERE rolname = '${role}'`)).length; i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.equal((await f.admin(`SELECT 1 FROM pg_roles WHERE rolname = '${role}'`)).length, 0);
    } finally {
      await runSources.close();
    }
  });
});
