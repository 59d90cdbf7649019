// Platform identities at the model gateway: an IdP access token and a gateway-scoped API token call a model as
// their user for the app named in x-gatehouse-app; a read-scoped token, a missing app and a forged JWT are refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { FakeUpstream } from '../demo/fake-upstream.js';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import { TestIdp } from './testing/test-idp.js';

describe('identities at the model gateway', () => {
  let idp: TestIdp;
  let up: FakeUpstream;
  let t: TestGatehouse;

  before(async () => {
    idp = await TestIdp.start({ pat: { email: 'pat@acme.test', email_verified: true, preferred_username: 'pat' } });
    up = await new FakeUpstream({ apiKey: 'sk-id-provider' }).start();
    t = await startTestGatehouse({
      config: {
        identity: {
          oidc: {
            issuer: idp.issuer,
            audience: idp.audience,
            roleMapping: [{ claim: 'email_domain', value: 'acme.test', roles: ['creator'], groups: ['support'] }],
          },
        },
      },
    });
    await t.useProvider('gpt-4o-mini', up.baseUrl, 'sk-id-provider');
    const v = await t.gh.apps.latestVersion('faq-bot');
    if (!(await t.gh.apps.inForce('faq-bot')))
      await t.gh.apps.lifecycle.transition({
        app: 'faq-bot',
        version: v!.version,
        from: v!.state,
        to: 'approved',
        actor: 'admin',
        reason: 'identity at the gateway test',
      });
  });
  after(async () => {
    await t.close();
    await up.close();
    await idp.close();
  });

  const chat = async (token: string, app?: string) => {
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(app ? { 'x-gatehouse-app': app } : {}),
      },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hello' }],
        user: 'someone-else',
      }),
    });
    return { status: res.status, body: (await res.json()) as { choices?: { message: { content: string } }[] } };
  };

  it('serves an IdP user and a gateway-scoped token as themselves; refuses the rest', async () => {
    const jwt = await idp.accessTokenFor('pat');
    const ok = await chat(jwt, 'faq-bot');
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.choices?.[0].message.content, 'Echo: hello');
    // The user is the token's, not the body's `user`.
    const costs = await t.api('GET', '/api/v1/costs?app=faq-bot&by=user');
    assert.match(JSON.stringify(costs.body), /"pat"/);
    assert.doesNotMatch(JSON.stringify(costs.body), /someone-else/);

    assert.equal((await chat(jwt)).status, 400, 'no app named');

    const mint = async (scopes: string[]) =>
      String((await t.api('POST', '/api/v1/tokens', { user: 'alice', scopes })).body.token);
    assert.equal((await chat(await mint(['gateway']), 'faq-bot')).status, 200);
    assert.equal((await chat(await mint(['read']), 'faq-bot')).status, 403);

    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await new SignJWT({ preferred_username: 'pat' })
      .setProtectedHeader({ alg: 'RS256', kid: idp.currentKid })
      .setIssuer(idp.issuer)
      .setAudience(idp.audience)
      .setSubject('pat')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    assert.equal((await chat(forged, 'faq-bot')).status, 401);
  });
});
