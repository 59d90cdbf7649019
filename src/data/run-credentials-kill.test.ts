// A real `gatehouse serve` SIGKILLed while a run holds its per-run PostgreSQL role: the role outlives the process (no
// shutdown hook ran), and a server restarted on the same home and database drops it on start, before the role's own
// expiry, because the dead server's owner lock went with its connections (checked through pg_roles).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawnGatehouse, type SpawnedGatehouse } from '../testing/spawn-gatehouse.js';
import { tempDir } from '../testing/databases.js';
import { POSTGRES, suiteNeeds } from '../testing/requires.js';
import { parseRunUser } from './run-credentials.js';
import { postgresFixture, type DataFixture } from './testing/data-fixtures.js';

const ADMIN = 'kill-test-admin-token-0123456789';

describe('per-run role after the server is killed mid-run (PostgreSQL)', await suiteNeeds(POSTGRES), () => {
  let f: DataFixture;
  let server: SpawnedGatehouse | undefined;
  const home = tempDir('gh-kill-');
  const env = { GATEHOUSE_HOME: home, GATEHOUSE_ADMIN_TOKEN: ADMIN };
  before(async () => {
    f = await postgresFixture();
  });
  after(async () => {
    await server?.kill();
    await f?.drop();
  });

  const call = async (method: string, path: string, body?: unknown, token = ADMIN) => {
    const res = await fetch(server!.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** Run roles holding grants on this test's table (other tests' roles live in the same cluster). */
  const runRoles = async () =>
    (
      await f.admin(
        `SELECT DISTINCT grantee FROM information_schema.column_privileges WHERE table_schema = '${f.source.spec.schema}' AND grantee LIKE 'gh\\_run\\_%'`,
      )
    ).map((r) => String(r.grantee));
  const roleExists = async (role: string) =>
    (await f.admin(`SELECT 1 FROM pg_roles WHERE rolname = '${role}'`)).length === 1;
  const until = async <T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('the restarted server sweeps the killed run’s role', async () => {
    server = await spawnGatehouse(env);
    const dataset = f.dataset([{ name: 'id' }, { name: 'region' }]);
    const applied = await call('POST', '/api/v1/catalog/apply', {
      documents: [
        {
          apiVersion: 'gatehouse/v1',
          kind: 'User',
          metadata: { name: 'dana' },
          spec: { roles: ['data_owner', 'creator'] },
        },
        { ...f.source, spec: { ...f.source.spec, runCredentials: true } },
        { ...dataset, spec: { ...dataset.spec, classification: 'internal' } },
      ],
    });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    const manifest = {
      apiVersion: 'gatehouse/v1',
      kind: 'App',
      metadata: { name: 'slow-reader', owner: 'dana' },
      spec: {
        purpose: 'reads a row, then keeps the run open',
        environment: 'dev',
        region: 'eu',
        runtime: { tier: 'wasm', entrypoint: 'main.js' },
        data: [{ dataset: 'customers', access: 'read', purpose: 'kill test', columns: ['id', 'region'] }],
      },
    };
    // The run takes its role on the first query, then spins until its time limit: the kill lands in between.
    const code = {
      'main.js':
        'export default async function main(input, ctx) { await ctx.data.sql("customers", "SELECT id FROM customers WHERE id = 1"); for (;;) {} }',
    };
    const dana = String((await call('POST', '/api/v1/tokens', { user: 'dana' })).body.token);
    const submitted = await call('POST', '/api/v1/apps', { manifest, code }, dana);
    assert.equal(submitted.body.state, 'approved', JSON.stringify(submitted.body).slice(0, 1500));
    const running = call('POST', '/api/v1/apps/slow-reader/runs', { input: {} }, dana).catch((e: Error) => e);

    const [role] = await until('the run role', async () => ((await runRoles()).length ? runRoles() : undefined));
    assert.ok(await roleExists(role));
    await server.kill();
    assert.ok((await running) instanceof Error, 'the run died with its server');
    assert.ok(await roleExists(role), 'no shutdown hook ran: the role outlived the killed server');

    server = await spawnGatehouse(env);
    await until('the sweep', async () => ((await roleExists(role)) ? undefined : true));
    const expiry = parseRunUser(role)?.expiresAt ?? 0;
    assert.ok(Date.now() < expiry, 'swept because its server died, not because the run had expired');
    assert.deepEqual(await runRoles(), []);
  });
});
