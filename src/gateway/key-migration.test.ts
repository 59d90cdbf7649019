// Existing app keys survive the key-limits migration: they keep working, with no expiry and no limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryApps } from '../apps/testing/memory-apps.js';
import { ManualClock } from '../core/clock.js';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { testDatabases } from '../testing/databases.js';
import { migrate } from '../store/sql-db.js';
import { gatewayMigrations } from './gateway-migrations.js';
import { KeyStore, sha256 } from './key-store.js';

for (const store of testDatabases) {
  test(`${store.name}: a key stored before gateway-003 keeps working, never expires, and has no limits`, async () => {
    const s = await store.open(gatewayMigrations.slice(0, 1));
    try {
      await s.db.run(
        'INSERT INTO gateway_app_keys (id, app, env, key_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        ['key_old', 'desk', 'prod', sha256('ghk_oldsecret'), 'alice', 1],
      );
      assert.deepEqual(await migrate(s.db, gatewayMigrations), ['gateway-002-model-keys', 'gateway-003-key-limits']);
      const keys = new KeyStore(s.db, new MemoryApps(), new MemoryCoordination(), new ManualClock());
      const k = await keys.lookup('ghk_oldsecret');
      assert.equal(k?.id, 'key_old');
      assert.equal(k?.kind, 'app');
      assert.equal(k?.app, 'desk');
      assert.equal(k?.env, 'prod');
      assert.equal(k?.expiresAt, undefined);
      assert.deepEqual(k?.limits, {});
      assert.deepEqual(k?.metadata, {});
    } finally {
      await s.cleanup();
    }
  });
}
