// The CatalogReader contract on the real catalog service (SQLite and PostgreSQL stores) and on the in-memory fake.
import { describe } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { nullAuditSink } from '../core/sinks.js';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { testDatabases } from '../testing/databases.js';
import { catalogMigrations } from './catalog-migrations.js';
import { catalogReaderContract } from './catalog-reader-contract.js';
import { CatalogService } from './catalog-service.js';
import { MemoryCatalog } from './testing/memory-catalog.js';

for (const target of testDatabases) {
  describe(`CatalogReader contract: CatalogService on ${target.name}`, () => {
    catalogReaderContract(async () => {
      const { db, cleanup } = await target.open(catalogMigrations);
      const catalog = new CatalogService({
        db,
        clock: new ManualClock(),
        audit: nullAuditSink,
        coord: new MemoryCoordination(),
      });
      await catalog.start();
      return {
        reader: catalog,
        async put(docs) {
          await catalog.apply(
            docs.map((value, i) => ({ source: `doc ${i + 1}`, value })),
            'admin',
          );
        },
        async close() {
          await catalog.stop();
          await cleanup();
        },
      };
    });
  });
}

describe('CatalogReader contract: MemoryCatalog (the test fake)', () => {
  catalogReaderContract(async () => {
    const catalog = new MemoryCatalog();
    return {
      reader: catalog,
      async put(docs) {
        // All or nothing, like an apply: parse every document before storing any.
        const staged = new MemoryCatalog(docs);
        for (const kind of ['User', 'Dataset', 'Connector', 'Model'] as const)
          for (const d of staged.list(kind)) catalog.put(d);
      },
      close: async () => undefined,
    };
  });
});
