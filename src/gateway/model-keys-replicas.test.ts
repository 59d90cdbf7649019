// Two replicas sharing the store (SQLite file, PostgreSQL) and Redis coordination: a key set or removed on one is
// used by the other from its next call without a restart; the store holds only ciphertext; a replica with another
// seal key fails closed naming the fix.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MemoryCatalog } from '../catalog/testing/memory-catalog.js';
import { systemClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { RedisCoordination } from '../coord/redis-coordination.js';
import { testDatabases, type TestDatabase } from '../testing/databases.js';
import { REDIS, suiteNeeds, TEST_REDIS_URL } from '../testing/requires.js';
import type { SqlDb } from '../store/sql-db.js';
import { gatewayMigrations } from './gateway-migrations.js';
import { ModelKeys } from './model-keys.js';
import { modelDoc } from './testing/gateway-harness.js';

const SEAL = randomBytes(32).toString('base64');
const K1 = 'sk-replica-one-1a2b3c4d5e6f';
const K2 = 'sk-replica-two-9f8e7d6c5b4a';
const doc = modelDoc('shared-model', 'openai', 'http://127.0.0.1:9/v1');

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

const redisNeeds = await suiteNeeds(REDIS);

for (const database of testDatabases)
  describe(`model keys across two replicas (${database.name} + Redis)`, redisNeeds, () => {
    let opened: Awaited<ReturnType<TestDatabase['open']>>;
    let db2: SqlDb;
    const prefix = `ghtest:${randomBytes(6).toString('hex')}:`;
    const coords: RedisCoordination[] = [];
    const replicas: ModelKeys[] = [];
    const replica = async (db: SqlDb, seal: string) => {
      const coord = new RedisCoordination({ url: TEST_REDIS_URL, prefix });
      coords.push(coord);
      const catalog = new MemoryCatalog();
      catalog.put(doc);
      const k = new ModelKeys({
        db,
        coord,
        clock: systemClock,
        home: opened.home,
        env: { GATEHOUSE_MODEL_KEYS_SEAL_KEY: seal },
        audit: { append: async () => ({ index: 0 }) },
        logger: silentLogger,
        catalog,
        reconcileMs: 0,
      });
      await k.start();
      replicas.push(k);
      return k;
    };
    before(async () => {
      opened = await database.open(gatewayMigrations);
      db2 = await opened.connectAgain();
    });
    after(async () => {
      for (const r of replicas) await r.stop();
      for (const c of coords) await c.close();
      await db2.close();
      await opened.cleanup();
    });

    it('a set on one replica reaches the other; so does a rotation and a removal', async () => {
      const a = await replica(opened.db, SEAL);
      const b = await replica(db2, SEAL);
      assert.throws(() => b.resolve(doc), /No provider key/);
      await a.set('shared-model', K1, 'admin');
      await eventually(() => {
        try {
          return b.resolve(doc) === K1;
        } catch {
          return false;
        }
      });
      assert.equal(b.resolve(doc), K1);
      await b.set('shared-model', K2, 'admin');
      await eventually(() => a.resolve(doc) === K2);
      assert.equal(a.resolve(doc), K2);
      const rows = JSON.stringify(await opened.db.all('SELECT * FROM gateway_model_keys'));
      assert.ok(!rows.includes(K1) && !rows.includes(K2), 'the store holds ciphertext only');
      await a.remove('shared-model', 'admin');
      await eventually(() => {
        try {
          b.resolve(doc);
          return false;
        } catch {
          return true;
        }
      });
      assert.throws(() => b.resolve(doc), /No provider key for model 'shared-model'/);
    });

    it('a replica with another seal key refuses the model, naming the fix, instead of calling without a key', async () => {
      const a = replicas[0]!;
      await a.set('shared-model', K1, 'admin');
      const stranger = await replica(db2, randomBytes(32).toString('base64'));
      assert.throws(
        () => stranger.resolve(doc),
        /replicas must share model-keys\.key or GATEHOUSE_MODEL_KEYS_SEAL_KEY/,
      );
    });
  });
