// Dataset query layer on a real SQLite file and a real CSV file: projection, filters, row limits, refusals.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { datasetSchema, type DatasetDoc } from '../catalog/catalog-schema.js';
import { InvalidInputError, PolicyDeniedError, UnavailableError } from '../core/errors.js';
import { tempDir } from '../testing/databases.js';
import { DatasetQuery } from './dataset-query.js';

const home = tempDir('gh-dq-');
const ds = (name: string, source: Record<string, unknown>): DatasetDoc =>
  datasetSchema.parse({
    apiVersion: 'gatehouse/v1',
    kind: 'Dataset',
    metadata: { name, owner: 'dana' },
    spec: {
      classification: 'internal',
      region: 'eu',
      source,
      columns: [{ name: 'region' }, { name: 'amount' }, { name: 'email', tags: ['pii'] }],
    },
  });

before(() => {
  const db = new Database(join(home, 'orders.db'));
  db.exec('CREATE TABLE orders (region TEXT, amount REAL, email TEXT)');
  const ins = db.prepare('INSERT INTO orders VALUES (?, ?, ?)');
  for (let i = 0; i < 30; i++) ins.run(i % 2 ? 'eu' : 'us', i, `user${i}@example.com`);
  db.close();
  writeFileSync(
    join(home, 'orders.csv'),
    'region,amount,email\n' +
      Array.from({ length: 30 }, (_, i) => `${i % 2 ? 'eu' : 'us'},${i},user${i}@example.com`).join('\n'),
  );
});

for (const kind of ['sqlite', 'csv'] as const) {
  describe(`dataset query on ${kind}`, () => {
    const q = new DatasetQuery(home);
    const doc = ds('orders', {
      kind,
      path: kind === 'sqlite' ? 'orders.db' : 'orders.csv',
      ...(kind === 'sqlite' ? { table: 'orders' } : {}),
    });

    it('returns only allowed columns and honours the row limit', async () => {
      const r = await q.query(doc, {}, ['region', 'amount'], 5);
      assert.deepEqual(r.columns, ['region', 'amount']);
      assert.equal(r.rows.length, 5);
      assert.equal(r.truncated, true);
      assert.deepEqual(Object.keys(r.rows[0]).sort(), ['amount', 'region']);
    });

    it('filters by equality on allowed columns', async () => {
      const r = await q.query(doc, { where: { region: 'eu' }, limit: 100 }, ['region', 'amount'], 1000);
      assert.equal(r.rows.length, 15);
      assert.ok(r.rows.every((row) => row.region === 'eu'));
      assert.equal(r.truncated, false);
    });

    it('refuses a column the manifest did not declare, also in where', async () => {
      await assert.rejects(
        q.query(doc, { columns: ['email'] }, ['region', 'amount'], 10),
        (e: unknown) => e instanceof PolicyDeniedError && /email/.test(e.message),
      );
      await assert.rejects(q.query(doc, { where: { email: 'user1@example.com' } }, ['region'], 10), PolicyDeniedError);
    });

    it('rejects malformed requests with a field path', async () => {
      await assert.rejects(q.query(doc, { limit: -1 }, ['region'], 10), InvalidInputError);
      await assert.rejects(q.query(doc, { sql: 'DROP TABLE orders' }, ['region'], 10), InvalidInputError);
    });
  });
}

describe('dataset sources', () => {
  const q = new DatasetQuery(home);
  it('refuses a source path outside GATEHOUSE_HOME', async () => {
    await assert.rejects(
      q.query(ds('x', { kind: 'csv', path: '../../etc/passwd' }), {}, ['region'], 10),
      UnavailableError,
    );
  });
  it('says so when a dataset has no source', async () => {
    const doc = datasetSchema.parse({
      apiVersion: 'gatehouse/v1',
      kind: 'Dataset',
      metadata: { name: 'nosrc', owner: 'd' },
      spec: { classification: 'public', region: 'eu', columns: [{ name: 'region' }] },
    });
    await assert.rejects(q.query(doc, {}, ['region'], 10), /no spec.source/);
  });
});
