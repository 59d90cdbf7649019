// Through the real composition root: a DataSource and a Dataset applied to the catalog, `gatehouse catalog discover`
// on it (route, CLI, the real DLP engine), and the catalog refusing a Dataset on an unknown source.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';

describe('data layer end to end (sqlite store, sqlite source)', () => {
  let t: TestGatehouse;
  before(async () => {
    t = await startTestGatehouse({ store: 'sqlite' });
    const db = new Database(join(t.home, 'crm.db'));
    db.exec('CREATE TABLE customers (id INTEGER, contact TEXT, region TEXT)');
    db.prepare('INSERT INTO customers VALUES (?, ?, ?)').run(1, 'ada.lovelace@example.com', 'eu');
    db.close();
  });
  after(async () => {
    await t?.close();
  });

  const apply = (documents: unknown[]) => t.api('POST', '/api/v1/catalog/apply', { documents });
  const owner = {
    apiVersion: 'gatehouse/v1',
    kind: 'User',
    metadata: { name: 'dana' },
    spec: { roles: ['data_owner'] },
  };
  const source = {
    apiVersion: 'gatehouse/v1',
    kind: 'DataSource',
    metadata: { name: 'crm', owner: 'dana' },
    spec: { engine: 'sqlite', database: 'crm.db', region: 'eu' },
  };

  it('applies a DataSource, discovers its tables through the CLI, and flags the e-mail column by DLP', async () => {
    const r = await apply([owner, source]);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const out = await t.cli(['catalog', 'discover', 'crm']);
    assert.equal(out.code, 0, out.err);
    assert.match(out.out, /kind: Dataset/);
    assert.match(out.out, /table: customers/);
    assert.match(out.out, /discover:dlp:/, 'contact holds e-mail addresses: flagged by the DLP engine, not by name');
    assert.doesNotMatch(out.out, /ada\.lovelace/);
    const list = await t.cli(['catalog', 'list', 'datasource']);
    assert.match(list.out, /DataSource +crm +sqlite/);
  });

  it('refuses a Dataset on an unknown DataSource, naming the field', async () => {
    const r = await apply([
      {
        apiVersion: 'gatehouse/v1',
        kind: 'Dataset',
        metadata: { name: 'orders', owner: 'dana' },
        spec: { classification: 'internal', region: 'eu', source: { dataSource: 'nope', table: 'orders' } },
      },
    ]);
    assert.equal(r.status, 400);
    assert.match(JSON.stringify(r.body), /spec\.source\.dataSource/);
  });
});
