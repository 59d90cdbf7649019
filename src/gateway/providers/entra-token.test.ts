// Entra ID client-credential tokens for Azure OpenAI against the fake Entra endpoint: the grant sent, one cached
// token for many calls, and hostile credentials (plain-HTTP authority, junk, a wrong secret) refused without echo.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AzureOpenAiFake } from '../testing/azure-openai-fake.js';
import { UpstreamError } from '../upstream-error.js';
import { EntraTokens } from './entra-token.js';

describe('Entra ID client-credential tokens', () => {
  let fake: AzureOpenAiFake;
  before(async () => {
    fake = await new AzureOpenAiFake('k', {
      client: { tenant: 'contoso', clientId: 'app-1', secret: 's3cret-val' },
    }).start();
  });
  after(() => fake.close());

  it('sends the client-credentials grant for the Cognitive Services scope and caches the token', async () => {
    const tokens = new EntraTokens();
    const n = fake.tokenRequests.length;
    const all = await Promise.all(Array.from({ length: 5 }, () => tokens.token('az', fake.clientCredentials())));
    assert.equal(await tokens.token('az', fake.clientCredentials()), all[0]);
    assert.equal(new Set(all).size, 1);
    assert.equal(fake.tokenRequests.length, n + 1);
    assert.deepEqual(fake.tokenRequests[n]?.form, {
      grant_type: 'client_credentials',
      client_id: 'app-1',
      client_secret: 's3cret-val',
      scope: 'https://cognitiveservices.azure.com/.default',
    });
  });

  it('a wrong secret is a 502 naming the model, without the secret, and is not cached', async () => {
    const tokens = new EntraTokens();
    const n = fake.tokenRequests.length;
    for (let i = 0; i < 2; i++)
      await assert.rejects(
        tokens.token('az', fake.clientCredentials('wrong-s3cret')),
        (e: unknown) =>
          e instanceof UpstreamError &&
          e.status === 502 &&
          /Model 'az': Entra ID refused the client credentials .*invalid_client/.test(e.message) &&
          !e.message.includes('wrong-s3cret'),
      );
    assert.equal(fake.tokenRequests.length, n + 2);
  });

  it('never sends the secret to a plain-HTTP authority, and names what is missing without echoing values', async () => {
    const n = fake.tokenRequests.length;
    const creds = JSON.parse(fake.clientCredentials()) as Record<string, string>;
    await assert.rejects(
      new EntraTokens().token('az', JSON.stringify({ ...creds, authority_host: 'http://login.evil.example' })),
      /authority_host must be an https URL/,
    );
    await assert.rejects(
      new EntraTokens().token('az', JSON.stringify({ ...creds, tenant_id: '../../x' })),
      /tenant_id is not a tenant id/,
    );
    await assert.rejects(new EntraTokens().token('az', 'plain-s3cret-token'), (e: unknown) => {
      const m = (e as Error).message;
      return /not a JSON object/.test(m) && !m.includes('plain-s3cret-token');
    });
    await assert.rejects(
      new EntraTokens().token('az', JSON.stringify({ tenant_id: 't', client_id: 'c' })),
      /no client_secret/,
    );
    assert.equal(fake.tokenRequests.length, n);
  });
});
