// Prompt DLP through a Presidio Analyzer NER backend (dlp.ner): names and places it finds are masked before the
// provider sees the prompt, and a backend that cannot answer refuses the call rather than sending it unmasked.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { createDlpEngine } from '../dlp/index.js';
import { FakePresidio } from '../dlp/testing/fake-presidio.js';
import { appVersion, startHarness, type Harness } from './testing/gateway-harness.js';

type ApiErr = Error & { status?: number };

describe('gateway prompt DLP with the Presidio NER backend', () => {
  let h: Harness;
  let presidio: FakePresidio;
  let client: OpenAI;
  before(async () => {
    presidio = await new FakePresidio().start();
    h = await startHarness({
      config: { promptDlp: 'mask', retries: 0 },
      dlp: createDlpEngine({ ner: { backend: 'presidio', url: presidio.url } }),
    });
    h.apps.put(appVersion('ner-app', { models: [{ id: 'gpt-cheap' }] }));
    client = new OpenAI({ apiKey: await h.key('ner-app'), baseURL: `${h.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await h.close();
    await presidio.close();
  });

  it('masks what the backend finds (a single surname the rules miss, a city) before the provider sees it', async () => {
    await client.chat.completions.create({
      model: 'gpt-cheap',
      messages: [
        { role: 'user', content: 'Last name? Lindqvist. She flies from Reykjavík; mail her at ab@example.com' },
      ],
    });
    const sent = JSON.stringify(h.upstream.requests.at(-1)?.body);
    assert.ok(!sent.includes('Lindqvist') && !sent.includes('Reykjavík') && !sent.includes('ab@example.com'), sent);
    assert.ok(sent.includes('[PERSON]') && sent.includes('[LOCATION]') && sent.includes('[EMAIL_ADDRESS]'), sent);
  });

  it('refuses the call (503) without reaching the provider when the backend fails', async () => {
    const before = h.upstream.requests.length;
    presidio.failNext = ['http500'];
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-cheap', messages: [{ role: 'user', content: 'ask Lindqvist' }] }),
      (e: ApiErr) => e.status === 503 && /NER backend/.test(e.message),
    );
    assert.equal(h.upstream.requests.length, before);
  });
});
