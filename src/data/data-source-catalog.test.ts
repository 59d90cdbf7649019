// kind: DataSource in the catalog: the schema's rules (host for servers, env-name credentials) and a Dataset pointing
// at an unknown source refused with the field named; the whole apply validated before anything is stored.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dataSourceSchema } from '../catalog/catalog-schema.js';
import { CatalogService } from '../catalog/catalog-service.js';
import { ManualClock } from '../core/clock.js';
import { InvalidInputError } from '../core/errors.js';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { MemoryAudit } from '../sandbox/sandbox-fakes.js';
import type { SqlDb } from '../store/sql-db.js';

const user = { apiVersion: 'gatehouse/v1', kind: 'User', metadata: { name: 'dana' }, spec: {} };
const source = (spec: Record<string, unknown>) => ({
  apiVersion: 'gatehouse/v1',
  kind: 'DataSource',
  metadata: { name: 'crm', owner: 'dana' },
  spec: { engine: 'postgres', host: 'db.internal', database: 'crm', region: 'eu', ...spec },
});
const dataset = (dataSource: string) => ({
  apiVersion: 'gatehouse/v1',
  kind: 'Dataset',
  metadata: { name: 'customers', owner: 'dana' },
  spec: { classification: 'pii', region: 'eu', source: { dataSource, table: 'customers' }, columns: [{ name: 'id' }] },
});

describe('kind: DataSource', () => {
  // validate() reads only what is already applied (nothing here), so no store is needed.
  const svc = new CatalogService({
    db: {} as SqlDb,
    clock: new ManualClock(),
    audit: new MemoryAudit(),
    coord: new MemoryCoordination(),
  });
  const docs = (...values: unknown[]) => values.map((value, i) => ({ source: `doc ${i}`, value }));

  it('accepts a source and a dataset on it in one apply', () => {
    const out = svc.validate(docs(user, source({ credential: { env: 'CRM_DB_URL' } }), dataset('crm')));
    assert.deepEqual(
      out.map((d) => d.kind),
      ['User', 'DataSource', 'Dataset'],
    );
  });

  it('refuses a dataset on an unknown source, naming the field', () => {
    assert.throws(
      () => svc.validate(docs(user, source({}), dataset('crn'))),
      (e: unknown) =>
        e instanceof InvalidInputError &&
        /Dataset\/customers\.spec\.source\.dataSource: unknown DataSource 'crn'/.test(e.message),
    );
  });

  it('needs a host for server engines and an env-var name (never a secret) for the credential', () => {
    assert.equal(dataSourceSchema.safeParse(source({ host: undefined })).success, false);
    assert.equal(dataSourceSchema.safeParse(source({ credential: { env: 'postgres://u:p@h/db' } })).success, false);
    assert.equal(
      dataSourceSchema.safeParse(source({ engine: 'sqlite', host: undefined, database: 'crm.db' })).success,
      true,
    );
  });
});
