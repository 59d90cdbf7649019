// Vertex AI service-account tokens against the fake OAuth endpoint: the signed JWT-bearer grant, caching until near
// expiry, one exchange for concurrent calls, and hostile credentials (plain-HTTP token_uri, junk, a foreign key).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GoogleFake } from '../testing/google-fake.js';
import { UpstreamError } from '../upstream-error.js';
import { VertexTokens } from './vertex-token.js';
import { vertexLocation } from './gemini-adapter.js';

describe('Vertex service-account tokens', () => {
  let fake: GoogleFake;
  before(async () => {
    fake = await new GoogleFake('unused').start();
  });
  after(() => fake.close());

  it('signs a JWT-bearer grant the token endpoint verifies (issuer, audience, scope)', async () => {
    const n = fake.tokenRequests.length;
    const token = await new VertexTokens().token('m', fake.serviceAccount());
    assert.match(token, /^ya29\.fake-\d+$/);
    const req = fake.tokenRequests[n]!;
    assert.equal(req.grantType, 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    assert.equal(req.claims?.iss, 'gatehouse@acme-prod.iam.gserviceaccount.com');
    assert.equal(req.claims?.aud, `${fake.url}/token`);
    assert.equal(Number(req.claims?.exp) - Number(req.claims?.iat), 3600);
  });

  it('caches the token until five minutes before it expires, then exchanges again', async () => {
    let now = Date.now();
    const tokens = new VertexTokens(() => now);
    const sa = fake.serviceAccount();
    const n = fake.tokenRequests.length;
    const first = await tokens.token('m', sa);
    now += 3000_000; // 50 minutes later: still valid for 10
    assert.equal(await tokens.token('m', sa), first);
    assert.equal(fake.tokenRequests.length, n + 1);
    now += 360_000; // 56 minutes: within 5 of expiry
    const second = await tokens.token('m', sa);
    assert.notEqual(second, first);
    assert.equal(fake.tokenRequests.length, n + 2);
  });

  it('concurrent calls share one exchange', async () => {
    const tokens = new VertexTokens();
    const sa = fake.serviceAccount();
    const n = fake.tokenRequests.length;
    const all = await Promise.all(Array.from({ length: 10 }, () => tokens.token('m', sa)));
    assert.equal(new Set(all).size, 1);
    assert.equal(fake.tokenRequests.length, n + 1);
  });

  it('a key the endpoint refuses is a 502 naming the model; the failure is not cached', async () => {
    const tokens = new VertexTokens();
    const sa = fake.serviceAccount({ foreignKey: true });
    const n = fake.tokenRequests.length;
    for (let i = 0; i < 2; i++)
      await assert.rejects(
        tokens.token('vx', sa),
        (e: unknown) =>
          e instanceof UpstreamError &&
          e.status === 502 &&
          e.extra.credentialRefused === true &&
          /Model 'vx': Google refused the service-account credential/.test(e.message) &&
          !e.message.includes('PRIVATE KEY'),
      );
    assert.equal(fake.tokenRequests.length, n + 2);
    assert.ok(fake.tokenRequests.slice(n).every((r) => r.refused));
  });

  it('refuses a token_uri that is not https (except loopback) without sending the assertion', async () => {
    const sa = JSON.parse(fake.serviceAccount()) as Record<string, string>;
    const n = fake.tokenRequests.length;
    for (const uri of ['http://evil.example/token', 'file:///etc/passwd', 'not a url'])
      await assert.rejects(
        new VertexTokens().token('vx', JSON.stringify({ ...sa, token_uri: uri })),
        (e: unknown) => e instanceof UpstreamError && e.status === 502 && /token_uri/.test(e.message),
      );
    assert.equal(fake.tokenRequests.length, n);
  });

  it('names what is wrong with a junk credential without echoing any of it', async () => {
    const secret = 'sk-not-a-service-account-4242';
    for (const [key, why] of [
      [secret, /not a service-account JSON/],
      [JSON.stringify({ client_email: 'a@b', token_uri: 'https://oauth2.googleapis.com/token' }), /no private_key/],
      [
        JSON.stringify({ client_email: 'a@b', private_key: secret, token_uri: 'https://oauth2.googleapis.com/token' }),
        /private_key is not an RSA PKCS#8 PEM key/,
      ],
    ] as const)
      await assert.rejects(
        new VertexTokens().token('vx', key),
        (e: unknown) => e instanceof UpstreamError && why.test(e.message) && !e.message.includes(secret),
      );
  });
});

describe('vertexLocation', () => {
  it('takes the location a Google endpoint names, so a routed deployment runs where the router chose', () => {
    assert.equal(vertexLocation('https://europe-west4-aiplatform.googleapis.com/v1', 'us-central1'), 'europe-west4');
    assert.equal(vertexLocation('https://aiplatform.googleapis.com/v1', 'us-central1'), 'global');
    assert.equal(vertexLocation('http://127.0.0.1:9999/v1', 'us-central1'), 'us-central1');
  });
});
