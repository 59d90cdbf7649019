// OIDC bearer tokens against a real OpenID Provider in the test process: just-in-time users with mapped roles,
// a security group that lets its member approve, key rotation picked up, deactivation at once, and hostile tokens
// (alg none, HS256 confusion, unknown key, other issuer, other audience, expired, a name squatting a catalog user)
// each refused with 401 and the reason in the server log.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { ManualClock } from '../core/clock.js';
import { createLogger } from '../core/logger.js';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import { TestIdp } from './testing/test-idp.js';

const AUD = 'https://gatehouse.test';

function appNeedingSecurity(owner: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gh-oidc-app-'));
  writeFileSync(
    join(dir, 'app.yaml'),
    [
      'apiVersion: gatehouse/v1',
      'kind: App',
      `metadata: { name: vendor-sync, owner: ${owner} }`,
      'spec:',
      '  purpose: Post weekly ticket counts to a vendor dashboard for the support leads',
      '  environment: dev',
      '  region: eu-west-1',
      '  runtime: { tier: wasm, entrypoint: main.js }',
      '  egress: [api.unknown-vendor.io]',
      '  budgets: { dailyCostUsd: 1 }',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'main.js'),
    "export default async function main(input, ctx) { return ctx.http.fetch('https://api.unknown-vendor.io/x', { method: 'POST', body: '1' }); }\n",
  );
  return join(dir, 'app.yaml');
}

describe('OIDC bearer tokens on the API', () => {
  let idp: TestIdp;
  let otherIdp: TestIdp;
  let t: TestGatehouse;
  const logs: string[] = [];
  const clock = new ManualClock(Date.now());

  before(async () => {
    idp = await TestIdp.start({
      sophie: { email: 'sophie@acme.test', email_verified: true, preferred_username: 'sophie', groups: ['sec-team'] },
      pat: { email: 'pat@acme.test', email_verified: true, preferred_username: 'pat', groups: [] },
      mallory: { email: 'mallory@evil.test', email_verified: true, preferred_username: 'root', groups: [] },
    });
    otherIdp = await TestIdp.start({ sophie: { preferred_username: 'sophie', groups: ['sec-team'] } }, AUD);
    t = await startTestGatehouse({
      clock,
      logger: createLogger('warn', (line) => logs.push(line)),
      config: {
        identity: {
          oidc: {
            issuer: idp.issuer,
            audience: AUD,
            jwksCooldownMs: 0,
            roleMapping: [
              { claim: 'groups', value: 'sec-team', roles: ['security'], groups: ['security'] },
              { claim: 'email_domain', value: 'acme.test', roles: ['creator'] },
            ],
          },
        },
      },
    });
  });
  after(async () => {
    await t.close();
    await idp.close();
    await otherIdp.close();
  });

  const refusedWith = async (token: string, reason: RegExp) => {
    logs.length = 0;
    const r = await t.api('GET', '/api/v1/whoami', undefined, token);
    assert.equal(r.status, 401, JSON.stringify(r.body));
    assert.ok(
      logs.some((l) => l.includes('OIDC bearer token refused') && reason.test(l)),
      `log says ${reason}: ${logs.join('\n')}`,
    );
  };

  it('provisions the subject as a catalog user with mapped roles; the security group may approve', async () => {
    const pat = await idp.accessTokenFor('pat');
    const who = await t.api('GET', '/api/v1/whoami', undefined, pat);
    assert.equal(who.status, 200, JSON.stringify(who.body));
    assert.deepEqual([who.body.user, who.body.roles, who.body.via], ['pat', ['creator'], 'oidc']);
    const doc = t.gh.catalog.user('pat');
    assert.deepEqual([doc?.spec.source, doc?.spec.subject, doc?.spec.issuer], ['oidc', 'pat', idp.issuer]);

    const sub = await t.cli(['app', 'submit', appNeedingSecurity('pat'), '--json'], pat);
    assert.equal(sub.code, 0, sub.err + sub.out);
    const approval = (JSON.parse(sub.out) as { admission: { approval: { id: string; requiredRoles: string[] } } })
      .admission.approval;
    assert.ok(approval.requiredRoles.includes('security'), JSON.stringify(approval));

    // pat maps to creator only: not a reviewer.
    assert.equal((await t.api('POST', `/api/v1/approvals/${approval.id}/approve`, {}, pat)).status, 403);
    const sophie = await idp.accessTokenFor('sophie');
    const ok = await t.api('POST', `/api/v1/approvals/${approval.id}/approve`, { comment: 'egress reviewed' }, sophie);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(t.gh.catalog.user('sophie')?.spec.groups, ['security']);
  });

  it('picks up a key rotation at the provider', async () => {
    const before = idp.currentKid;
    assert.equal((await t.api('GET', '/api/v1/whoami', undefined, await idp.accessTokenFor('pat'))).status, 200);
    idp.rotateKeys();
    const fresh = await idp.accessTokenFor('pat');
    assert.notEqual(decodeProtectedHeader(fresh).kid, before, 'signed with the new key');
    assert.equal((await t.api('GET', '/api/v1/whoami', undefined, fresh)).status, 200);
  });

  it('refuses alg none, HS256 confusion, an unknown key, another issuer or audience, and an expired token', async () => {
    const now = Math.floor(clock.now() / 1000);
    const claims = { iss: idp.issuer, aud: AUD, sub: 'sophie', preferred_username: 'sophie', groups: ['sec-team'] };
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    await refusedWith(
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, iat: now, exp: now + 600 })}.`,
      /algorithm 'none'/,
    );
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    await refusedWith(hs, /algorithm 'HS256'/);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: idp.currentKid })
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
    await refusedWith(forged, /signature does not verify/);
    const unknownKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'attacker-key' })
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
    await refusedWith(unknownKid, /key the identity provider does not publish/);
    await refusedWith(await otherIdp.accessTokenFor('sophie'), /claim 'iss'/);
    await refusedWith(await idp.accessTokenFor('sophie', 'https://other.test'), /claim 'aud'/);
    const soon = await idp.accessTokenFor('sophie');
    assert.equal((await t.api('GET', '/api/v1/whoami', undefined, soon)).status, 200);
    const was = clock.now();
    clock.set((decodeJwt(soon).exp! + 1) * 1000);
    try {
      await refusedWith(soon, /token expired/);
    } finally {
      clock.set(was);
    }
  });

  it('never binds an IdP account to a catalog user by name alone', async () => {
    await refusedWith(await idp.accessTokenFor('mallory'), /catalog user 'root' is not bound/);
    assert.equal(t.gh.catalog.user('root')?.spec.roles.join(), 'admin', 'root untouched');
  });

  it('a deactivated user loses access at once', async () => {
    const token = await idp.accessTokenFor('sophie');
    assert.equal((await t.api('GET', '/api/v1/whoami', undefined, token)).status, 200);
    const doc = t.gh.catalog.user('sophie')!;
    const r = await t.api('POST', '/api/v1/catalog/apply', {
      documents: [{ ...doc, spec: { ...doc.spec, active: false } }],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await refusedWith(token, /user 'sophie' is deactivated/);
  });
});
