// The catalog follows other replicas' changes (broadcasts, and a timer for missed ones); a failed load keeps the last.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { nullAuditSink } from '../core/sinks.js';
import type { Logger } from '../core/logger.js';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { testDatabases } from '../testing/databases.js';
import { catalogMigrations } from './catalog-migrations.js';
import { CatalogService } from './catalog-service.js';

const user = { apiVersion: 'gatehouse/v1', kind: 'User', metadata: { name: 'alice' }, spec: { roles: ['creator'] } };

test('a reload after a change that fails (store gone) is logged and keeps the previous catalog', async () => {
  const { db, cleanup } = await testDatabases[0].open(catalogMigrations);
  const coord = new MemoryCoordination();
  const warnings: string[] = [];
  const logger = { warn: (msg: string) => warnings.push(msg) } as unknown as Logger;
  const catalog = new CatalogService({ db, clock: new ManualClock(), audit: nullAuditSink, coord, logger });
  await catalog.start();
  await catalog.apply([{ source: 'doc 1', value: user }], 'admin');
  assert.deepEqual(catalog.names('User'), ['alice']);
  await db.close();
  await coord.publish('gatehouse.catalog', 'changed elsewhere');
  for (let i = 0; i < 50 && warnings.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.match(warnings.join('\n'), /catalog reload after a change failed/);
  assert.deepEqual(catalog.names('User'), ['alice']);
  await catalog.stop();
  await cleanup().catch(() => undefined);
});

test('a replica that missed the broadcast (no shared coordination) converges from the store on its timer', async () => {
  const { db, cleanup } = await testDatabases[0].open(catalogMigrations);
  const deps = { db, clock: new ManualClock(), audit: nullAuditSink };
  const a = new CatalogService({ ...deps, coord: new MemoryCoordination() });
  const b = new CatalogService({ ...deps, coord: new MemoryCoordination(), reconcileMs: 20 });
  await a.start();
  await b.start();
  await a.apply([{ source: 'doc 1', value: user }], 'admin');
  for (let i = 0; i < 100 && b.names('User').length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(b.names('User'), ['alice']);
  await a.stop();
  await b.stop();
  await cleanup();
});
