// Hostile tests through the real server: a token's scopes bound what it may do, whatever its user's roles; an
// expired token is a 401; `gatehouse token list` shows one's own tokens with scopes, expiry and last use.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { startTestGatehouse } from '../testing/test-gatehouse.js';

const DAY = 86_400_000;

describe('API token scopes over HTTP', () => {
  it('a read-scoped token of an admin user cannot submit, approve, kill or mint; an expired token is a 401', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const t = await startTestGatehouse({ clock });
    try {
      // root holds the admin role, so roles allow everything: only the scopes refuse.
      const mint = async (scopes: string[], token = t.adminToken) => {
        const r = await t.api('POST', '/api/v1/tokens', { user: 'root', scopes }, token);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return String(r.body.token);
      };
      const read = await mint(['read']);
      assert.equal((await t.api('GET', '/api/v1/apps', undefined, read)).status, 200);
      assert.equal((await t.api('POST', '/api/v1/policies/eval', {}, read)).status === 403, false, 'eval is a read');

      const attacks: [string, string, unknown, string][] = [
        ['POST', '/api/v1/apps', { manifest: {}, code: '' }, 'submit'],
        ['POST', '/api/v1/approvals/apr_x/approve', {}, 'review'],
        ['POST', '/api/v1/kills', { scope: 'global', reason: 'x' }, 'operate'],
        ['POST', '/api/v1/catalog/apply', { documents: [] }, 'admin'],
        ['POST', '/api/v1/sessions', {}, 'gateway'],
      ];
      for (const [method, path, body, scope] of attacks) {
        const r = await t.api(method, path, body, read);
        assert.equal(r.status, 403, `${path} with a read token`);
        assert.match(r.body.error!.message, new RegExp(`needs '${scope}'`));
        // The token with that scope gets past the gate (whatever the handler then says about the body).
        const ok = await t.api(method, path, body, await mint([scope]));
        assert.ok(ok.status !== 401 && !(ok.status === 403 && /needs '/.test(ok.body.error?.message ?? '')), path);
      }
      // Escalation through minting: a read token cannot mint a wider one, nor one for another user, nor `never`.
      assert.equal((await t.api('POST', '/api/v1/tokens', { scopes: ['submit'] }, read)).status, 403);
      assert.equal((await t.api('POST', '/api/v1/tokens', { user: 'alice' }, read)).status, 403);
      assert.equal((await t.api('POST', '/api/v1/tokens', { ttl: 'never' }, read)).status, 403);

      // A creator may mint for itself, but not a never-expiring token.
      const alice = await t.tokenFor('alice');
      assert.equal((await t.api('POST', '/api/v1/tokens', { ttl: 'never' }, alice)).status, 403);
      const aliceOwn = await t.api('POST', '/api/v1/tokens', { ttl: '1h', scopes: ['read'] }, alice);
      assert.equal(aliceOwn.status, 201);

      // token list: alice sees her two tokens and no one else's; last use is set on the one used.
      const list = await t.cli(['token', 'list', '--json'], alice);
      assert.equal(list.code, 0, list.err);
      const tokens = (JSON.parse(list.out) as { tokens: { user: string; lastUsedAt: number | null }[] }).tokens;
      assert.equal(tokens.length, 2);
      assert.ok(tokens.every((x) => x.user === 'alice'));
      assert.equal(tokens.filter((x) => x.lastUsedAt !== null).length, 1);
      const other = await t.api('GET', '/api/v1/tokens?user=root', undefined, alice);
      assert.ok(
        (other.body.tokens as { user: string }[]).every((x) => x.user === 'alice'),
        'no peeking at root',
      );

      // Default expiry 30 days: a day past it the token is a 401.
      clock.advance(31 * DAY);
      const expired = await t.api('GET', '/api/v1/whoami', undefined, alice);
      assert.equal(expired.status, 401);
    } finally {
      await t.close();
    }
  });
});
