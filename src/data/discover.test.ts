// catalog discover on PostgreSQL and SQLite: one proposed Dataset per table, valid against the schema, with columns
// flagged by name and by DLP findings in sampled values (never the values themselves).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { datasetSchema } from '../catalog/catalog-schema.js';
import { POSTGRES, suiteNeeds, type Requirement } from '../testing/requires.js';
import { DataSources } from './data-sources.js';
import { discoverDatasets } from './discover.js';
import { postgresFixture, sqliteFixture, type DataFixture } from './testing/data-fixtures.js';

/** A stand-in DLP scan: names an e-mail finding. */
const scan = (text: string) => (/@example\.com$/.test(text) ? ['EMAIL'] : []);

const ENGINES: { name: string; needs?: Requirement; make: () => Promise<DataFixture> }[] = [
  { name: 'postgres', needs: POSTGRES, make: postgresFixture },
  { name: 'sqlite', make: sqliteFixture },
];

for (const e of ENGINES) {
  describe(`catalog discover (${e.name})`, e.needs ? await suiteNeeds(e.needs) : {}, () => {
    let f: DataFixture;
    let sources: DataSources;
    before(async () => {
      f = await e.make();
      sources = new DataSources({ sources: f.sources, home: f.home, env: {}, tokenKey: 't' });
    });
    after(async () => {
      await sources?.close();
      await f?.drop();
    });

    it('proposes a valid Dataset per table with sensitive columns tagged for review', async () => {
      const docs = await discoverDatasets(sources, f.source.metadata.name, scan);
      const byTable = new Map(docs.map((d) => [datasetSchema.parse(d).spec.source, datasetSchema.parse(d)]));
      const customers = [...byTable.values()].find(
        (d) => d.spec.source && 'table' in d.spec.source && d.spec.source.table === 'customers',
      );
      assert.ok(customers, 'customers proposed');
      assert.equal(customers.spec.classification, 'pii');
      const tags = Object.fromEntries(customers.spec.columns.map((c) => [c.name, c.tags]));
      assert.deepEqual(tags.id, []);
      assert.deepEqual(tags.region, []);
      assert.ok(tags.email.includes('discover:name') && tags.email.includes('discover:dlp:EMAIL'));
      assert.ok(tags.ssn.includes('discover:name'));
      assert.equal(docs.length, 2, 'customers and secrets');
      assert.doesNotMatch(JSON.stringify(docs), /example\.com|123-45/, 'no sampled values in the proposal');
    });
  });
}
