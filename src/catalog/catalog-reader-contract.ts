// The CatalogReader contract, run against the catalog service on a real store and against the in-memory fake, so
// the fake cannot drift from what production answers (schema defaults, kinds kept apart, names in order).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { CatalogReader } from './catalog-schema.js';

/** A reader under test plus a way to store documents through its real path (an apply, for the service). */
export interface CatalogReaderUnderTest {
  reader: CatalogReader;
  put(docs: unknown[]): Promise<void>;
  close(): Promise<void>;
}

const doc = (kind: string, name: string, spec: object, owner?: string) => ({
  apiVersion: 'gatehouse/v1',
  kind,
  metadata: { name, ...(owner ? { owner } : {}) },
  spec,
});
const model = (name: string, over: object = {}) =>
  doc('Model', name, {
    provider: 'openai',
    upstream: 'http://127.0.0.1:9/v1',
    region: 'eu',
    version: '1',
    pricing: { inputPerMTok: 1, outputPerMTok: 2 },
    environments: ['dev'],
    risk: 'low',
    ...over,
  });

export function catalogReaderContract(open: () => Promise<CatalogReaderUnderTest>): void {
  it('answers each kind by name, applies schema defaults, and keeps kinds apart', async () => {
    const t = await open();
    try {
      await t.put([
        doc('User', 'dora', {}),
        doc('Dataset', 'same-name', { classification: 'pii', region: 'eu' }, 'dora'),
        model('same-name'),
        doc('Connector', 'crm', { kind: 'http', endpoints: ['https://crm.example.com/*'] }, 'dora'),
      ]);
      assert.deepEqual(t.reader.user('dora')?.spec, { roles: [], groups: [] });
      assert.deepEqual(t.reader.dataset('same-name')?.spec.columns, []);
      assert.equal(t.reader.model('same-name')?.spec.provider, 'openai');
      assert.equal(t.reader.connector('crm')?.spec.approved, false);
      assert.equal(t.reader.connector('crm')?.spec.allowPrivateNetwork, false);
      assert.equal(t.reader.dataset('crm'), undefined);
      assert.equal(t.reader.model('dora'), undefined);
      assert.equal(t.reader.user('nobody'), undefined);
    } finally {
      await t.close();
    }
  });

  it('lists one kind in name order and replaces a document applied again', async () => {
    const t = await open();
    try {
      await t.put([model('zeta'), model('alpha'), model('mid'), doc('User', 'ada', { roles: ['admin'] })]);
      await t.put([model('mid', { risk: 'high' })]);
      assert.deepEqual(
        t.reader.list('Model').map((m) => m.metadata.name),
        ['alpha', 'mid', 'zeta'],
      );
      assert.equal(t.reader.model('mid')?.spec.risk, 'high');
      assert.deepEqual(
        t.reader.list('User').map((u) => u.metadata.name),
        ['ada'],
      );
      assert.deepEqual(t.reader.list('Dataset'), []);
    } finally {
      await t.close();
    }
  });

  it('refuses a document the schema rejects and keeps what it had', async () => {
    const t = await open();
    try {
      await t.put([model('kept')]);
      await assert.rejects(t.put([model('bad', { provider: 'nope' })]));
      assert.equal(t.reader.model('bad'), undefined);
      assert.equal(t.reader.model('kept')?.metadata.name, 'kept');
    } finally {
      await t.close();
    }
  });
}
