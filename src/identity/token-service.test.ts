// Hostile tests for bearer tokens: revoked, expired, near-miss, orphaned, deactivated and over-reaching tokens.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { nullAuditSink, type AuditSink } from '../core/sinks.js';
import { testDatabases } from '../testing/databases.js';
import { identityMigrations } from './identity-migrations.js';
import { TokenService } from './token-service.js';
import type { Principal } from './principal.js';
import type { CatalogReader, UserDoc } from '../catalog/catalog-schema.js';

const ADMIN = 'admin-token-for-tests-0123456789';
const ROOT: Principal = { user: 'admin', roles: ['admin'], groups: [] };
const DAY = 86_400_000;

function catalogWith(
  users: Record<string, UserDoc['spec']>,
): CatalogReader & { remove(u: string): void; set(u: string, spec: UserDoc['spec']): void } {
  const doc = (name: string, spec: UserDoc['spec']) =>
    ({ apiVersion: 'gatehouse/v1', kind: 'User', metadata: { name }, spec }) as UserDoc;
  const docs = new Map(Object.entries(users).map(([name, spec]) => [name, doc(name, spec)]));
  return {
    user: (n) => docs.get(n),
    dataset: () => undefined,
    connector: () => undefined,
    model: () => undefined,
    list: (kind) => (kind === 'User' ? [...docs.values()] : []) as never,
    remove: (u) => void docs.delete(u),
    set: (u, spec) => void docs.set(u, doc(u, spec)),
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
        assert.deepEqual(await tokens.authenticate(ADMIN), {
          user: 'admin',
          roles: ['admin'],
          groups: [],
          via: 'admin-token',
        });
        assert.equal(await tokens.authenticate(ADMIN.slice(0, -1) + 'X'), undefined, 'a near-miss of the admin token');
        assert.equal(await tokens.authenticate(ADMIN + ' '), undefined);

        const a = await tokens.create({ user: 'alice' }, ROOT);
        const p = await tokens.authenticate(a.token);
        assert.equal(p?.user, 'alice');
        assert.deepEqual([p?.roles, p?.groups], [['creator'], ['support']]);
        const stored = await db.all<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
        assert.ok(
          stored.every((r) => !r.token_hash.includes(a.token)),
          'only the hash is stored',
        );

        await tokens.revoke(a.tokenId, ROOT);
        assert.equal(await tokens.authenticate(a.token), undefined, 'revoked');

        const b = await tokens.create({ user: 'bob', ttl: 60_000 }, ROOT);
        assert.equal((await tokens.authenticate(b.token))?.user, 'bob');
        clock.advance(60_001);
        assert.equal(await tokens.authenticate(b.token), undefined, 'expired');

        const c = await tokens.create({ user: 'bob' }, ROOT);
        catalog.remove('bob');
        assert.equal(await tokens.authenticate(c.token), undefined, 'a user removed from the catalog keeps no access');

        await assert.rejects(tokens.create({ user: 'mallory' }, ROOT), /Unknown user 'mallory'/);
      } finally {
        await cleanup();
      }
    });

    it('defaults to 30 days, keeps scopes, records last use, and refuses escalation and `never` for non-admins', async () => {
      const { db, cleanup } = await target.open(identityMigrations);
      try {
        const clock = new ManualClock();
        const catalog = catalogWith({
          alice: { roles: ['creator'], groups: [] },
          bob: { roles: ['security'], groups: [] },
        });
        const events: string[] = [];
        const audit: AuditSink = {
          append: async (e) => {
            events.push(`${e.type}:${JSON.stringify(e.data)}`);
            return undefined as never;
          },
        } as AuditSink;
        const tokens = new TokenService({ db, clock, catalog, audit, adminToken: ADMIN, defaultTtlMs: 30 * DAY });

        const t = await tokens.create({ user: 'alice', scopes: ['read'] }, ROOT);
        assert.equal(t.expiresAt, clock.now() + 30 * DAY, 'default expiry is the configured 30 days');
        const alice = await tokens.authenticate(t.token);
        assert.deepEqual(alice?.scopes, ['read']);
        let [info] = await tokens.list('alice');
        assert.equal(info.lastUsedAt, clock.now(), 'last use recorded');

        // A read-scoped token cannot mint itself a submit token, nor a token for someone else, nor a never token.
        await assert.rejects(
          tokens.create({ user: 'alice', scopes: ['submit'] }, alice!),
          /cannot mint a token with submit/,
        );
        await assert.rejects(tokens.create({ user: 'bob' }, alice!), /only for itself/);
        await assert.rejects(tokens.create({ user: 'alice', ttl: 'never' }, alice!), /Only admins/);
        // It may mint a narrower one for itself, inheriting its scopes by default.
        const own = await tokens.create({ user: 'alice' }, alice!);
        assert.deepEqual(own.scopes, ['read']);
        // A short-lived token cannot mint one that outlives it (a 1 h CI exchange token, say).
        const hour = await tokens.authenticate((await tokens.create({ user: 'alice', ttl: 3_600_000 }, ROOT)).token);
        assert.equal(hour?.expiresAt, clock.now() + 3_600_000);
        const minted = await tokens.create({ user: 'alice', ttl: 30 * DAY }, hour!);
        assert.equal(minted.expiresAt, clock.now() + 3_600_000, 'capped at the minting token');
        assert.equal((await tokens.create({ user: 'alice' }, hour!)).expiresAt, clock.now() + 3_600_000);

        // An admin user whose token lacks the admin scope is not an admin for minting.
        catalog.set('carol', { roles: ['admin'], groups: [] });
        const carolRead = await tokens.authenticate(
          (await tokens.create({ user: 'carol', scopes: ['read'] }, ROOT)).token,
        );
        await assert.rejects(
          tokens.create({ user: 'carol', ttl: 'never', scopes: ['read'] }, carolRead!),
          /Only admins/,
        );

        const forever = await tokens.create({ user: 'bob', ttl: 'never' }, ROOT);
        assert.equal(forever.expiresAt, null);
        assert.ok(
          events.some((e) => e.startsWith('token.created') && e.includes('"neverExpires":true')),
          'audited',
        );
        clock.advance(365 * DAY);
        assert.equal((await tokens.authenticate(forever.token))?.user, 'bob');
        assert.equal(await tokens.authenticate(t.token), undefined, 'the 30-day token expired');

        // Another user's token id reads as unknown to a non-admin.
        await assert.rejects(
          tokens.revoke(forever.tokenId, { user: 'alice', roles: ['creator'], groups: [] }),
          /not found|No Token|Unknown/i,
        );
        [info] = await tokens.list('bob');
        assert.equal(info.revoked, false);

        // Deactivating a user ends every token at once (after the short cache of the token row, not of the user).
        catalog.set('bob', { roles: ['security'], groups: [], active: false });
        assert.equal(await tokens.authenticate(forever.token), undefined, 'deactivated user');
        await assert.rejects(tokens.create({ user: 'bob' }, ROOT), /User 'bob' is deactivated/);
      } finally {
        await cleanup();
      }
    });
  });
}
