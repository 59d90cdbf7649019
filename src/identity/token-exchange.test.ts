// Workload identity end to end: a CI job's OIDC token from a real OpenID Provider, matched by a catalog TrustPolicy,
// becomes a short-lived scoped Gatehouse token that submits an app; a subject outside the pattern, a wider scope,
// an untrusted issuer and a forged token are refused; every exchange is in the audit log.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import { TestIdp } from './testing/test-idp.js';
import { TOKEN_EXCHANGE_GRANT, subjectMatches } from './token-exchange.js';

const MAIN = 'repo:acme/bots:ref:refs/heads/main';
const BRANCH = 'repo:acme/bots:ref:refs/heads/feature-x';
const AUD = 'https://gatehouse.acme.test';

describe('subject patterns', () => {
  it('match whole subjects, * as any run, everything else literally', () => {
    assert.ok(subjectMatches(MAIN, MAIN));
    assert.ok(subjectMatches('repo:acme/bots:*', BRANCH));
    assert.ok(!subjectMatches(MAIN, MAIN + 'x'), 'anchored at the end');
    assert.ok(!subjectMatches(MAIN, 'x' + MAIN), 'anchored at the start');
    assert.ok(!subjectMatches('repo:acme/bots.ref', 'repo:acme/botsXref'), 'a dot is a dot');
  });
});

describe('POST /api/v1/auth/exchange', () => {
  let ci: TestIdp;
  let rogue: TestIdp;
  let t: TestGatehouse;

  before(async () => {
    ci = await TestIdp.start({ [MAIN]: {}, [BRANCH]: {} }, AUD);
    rogue = await TestIdp.start({ [MAIN]: {} }, AUD);
    t = await startTestGatehouse({ config: { identity: { exchange: { jwksCooldownMs: 0 } } } });
    const r = await t.api('POST', '/api/v1/catalog/apply', {
      documents: [
        { apiVersion: 'gatehouse/v1', kind: 'User', metadata: { name: 'ci-bot' }, spec: { roles: ['creator'] } },
        {
          apiVersion: 'gatehouse/v1',
          kind: 'TrustPolicy',
          metadata: { name: 'acme-bots-main' },
          spec: {
            issuer: ci.issuer,
            audience: AUD,
            subject: MAIN,
            actAs: { user: 'ci-bot' },
            allowedActions: ['read', 'submit'],
            ttl: '10m',
          },
        },
      ],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });
  after(async () => {
    await t.close();
    await ci.close();
    await rogue.close();
  });

  const exchange = async (subjectToken: string, scope?: string) => {
    const res = await fetch(`${t.url}/api/v1/auth/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: subjectToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        ...(scope ? { scope } : {}),
      }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string | number> };
  };

  it('an allowed subject gets a short-lived scoped token that submits an app', async () => {
    const r = await exchange(await ci.accessTokenFor(MAIN));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token');
    assert.equal(r.body.token_type, 'Bearer');
    assert.equal(r.body.expires_in, 600);
    assert.equal(r.body.scope, 'read submit');
    const token = String(r.body.access_token);
    const who = await t.api('GET', '/api/v1/whoami', undefined, token);
    assert.deepEqual([who.body.user, who.body.scopes], ['ci-bot', ['read', 'submit']]);

    const dir = join(mkdtempSync(join(tmpdir(), 'gh-ci-')), 'ci-chat');
    const init = await t.cli(['app', 'init', '--template', 'chatbot', dir], token);
    assert.equal(init.code, 0, init.err + init.out);
    const sub = await t.cli(['app', 'submit', join(dir, 'app.yaml'), '--json'], token);
    assert.equal(sub.code, 0, sub.err + sub.out);
    assert.equal((JSON.parse(sub.out) as { state: string }).state, 'approved');
    // The policy allows read and submit only: the token cannot kill.
    assert.equal((await t.api('POST', '/api/v1/kills', { scope: 'global', reason: 'x' }, token)).status, 403);
  });

  it('refuses a subject outside the pattern, a wider scope, and an untrusted issuer; all audited', async () => {
    const branch = await exchange(await ci.accessTokenFor(BRANCH));
    assert.equal(branch.status, 400);
    assert.equal(branch.body.error, 'invalid_grant');
    assert.match(String(branch.body.error_description), /matches no TrustPolicy/);
    const wide = await exchange(await ci.accessTokenFor(MAIN), 'submit operate');
    assert.equal(wide.status, 400);
    assert.equal(wide.body.error, 'invalid_scope');
    const stranger = await exchange(await rogue.accessTokenFor(MAIN));
    assert.equal(stranger.status, 400);
    assert.match(String(stranger.body.error_description), /no TrustPolicy trusts issuer/);

    // A token claiming the trusted issuer and the allowed subject, signed by a key the issuer does not publish.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forgedToken = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: ci.currentKid })
      .setIssuer(ci.issuer)
      .setAudience(AUD)
      .setSubject(MAIN)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const forged = await exchange(forgedToken);
    assert.equal(forged.status, 400);
    assert.match(String(forged.body.error_description), /signature does not verify/);

    const audit = await t.api('GET', '/api/v1/audit/entries?type=auth.exchange');
    assert.equal(audit.status, 200, JSON.stringify(audit.body));
    const events = (audit.body.entries as { event: { actor: string; data: Record<string, unknown> } }[]).map(
      (e) => e.event,
    );
    const seen = events.map((e) => `${String(e.data.outcome)} ${String(e.data.subject ?? '-')}`);
    assert.ok(seen.includes(`allowed ${MAIN}`), seen.join('\n'));
    assert.ok(seen.includes(`refused ${BRANCH}`), seen.join('\n'));
    assert.equal(events.filter((e) => e.data.outcome === 'refused').length, 4, seen.join('\n'));
    assert.equal(events.filter((e) => e.data.outcome === 'allowed').length, 1, 'only the genuine exchange was allowed');
    const allowed = events.find((e) => e.data.outcome === 'allowed')!;
    assert.deepEqual([allowed.data.policy, allowed.data.user], ['acme-bots-main', 'ci-bot']);
  });
});
