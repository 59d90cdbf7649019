// Hostile tests for bearer tokens: revoked, expired, near-miss and orphaned tokens never authenticate.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { nullAuditSink } from '../core/sinks.js';
import { testDatabases } from '../testing/databases.js';
import { identityMigrations } from './identity-migrations.js';
import { TokenService } from './token-service.js';
import type { CatalogReader, UserDoc } from '../catalog/catalog-schema.js';

const ADMIN = 'admin-token-for-tests-0123456789';

function catalogWith(users: Record<string, UserDoc['spec']>): CatalogReader & { remove(u: string): void } {
  const docs = new Map(
    Object.entries(users).map(([name, spec]) => [
      name,
      { apiVersion: 'gatehouse/v1', kind: 'User', metadata: { name }, spec } as UserDoc,
    ]),
  );
  return {
    user: (n) => docs.get(n),
    dataset: () => undefined,
    connector: () => undefined,
    model: () => undefined,
    list: (kind) => (kind === 'User' ? [...docs.values()] : []) as never,
    remove: (u) => void docs.delete(u),
  };
}

for (const target of testDatabases) {
  describe(`tokens on ${target.name}`, () => {
    it('maps a token to its user and current roles; refuses revoked, expired, orphaned and near-miss tokens', async () => {
      const { db, cleanup } = await target.open(identityMigrations);
      try {
        const clock = new ManualClock();
        const catalog = catalogWith({
          alice: { roles: ['creator'], groups: ['support'] },
          bob: { roles: ['security'], groups: [] },
        });
        const tokens = new TokenService({ db, clock, catalog, audit: nullAuditSink, adminToken: ADMIN });
        assert.deepEqual(await tokens.authenticate(ADMIN), { user: 'admin', roles: ['admin'], groups: [] });
        assert.equal(await tokens.authenticate(ADMIN.slice(0, -1) + 'X'), undefined, 'a near-miss of the admin token');
        assert.equal(await tokens.authenticate(ADMIN + ' '), undefined);

        const a = await tokens.create('alice', 'admin');
        assert.deepEqual(await tokens.authenticate(a.token), {
          user: 'alice',
          roles: ['creator'],
          groups: ['support'],
        });
        const stored = await db.all<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
        assert.ok(
          stored.every((r) => !r.token_hash.includes(a.token)),
          'only the hash is stored',
        );

        await tokens.revoke(a.tokenId, 'admin');
        assert.equal(await tokens.authenticate(a.token), undefined, 'revoked');

        const b = await tokens.create('bob', 'admin', 60_000);
        assert.equal((await tokens.authenticate(b.token))?.user, 'bob');
        clock.advance(60_001);
        assert.equal(await tokens.authenticate(b.token), undefined, 'expired');

        const c = await tokens.create('bob', 'admin');
        catalog.remove('bob');
        assert.equal(await tokens.authenticate(c.token), undefined, 'a user removed from the catalog keeps no access');

        await assert.rejects(tokens.create('mallory', 'admin'), /Unknown user 'mallory'/);
      } finally {
        await cleanup();
      }
    });
  });
}
