// Image URLs pass the egress guard (issue 13 item 3): a host in the app's spec.egress reaches the provider; any other
// host, a private or metadata address, or a URL with user info is refused with a 403 naming it, before any provider
// call, through both official SDKs. Data URLs need no egress.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { appVersion } from '../../src/gateway/testing/gateway-harness.js';
import { CLAUDE, GPT, startCompat, type Compat } from './compat-harness.js';

type ApiErr = Error & { status?: number; headers?: Headers };

describe('image URLs and the egress guard', () => {
  let c: Compat;
  let openai: OpenAI;
  let anthropic: Anthropic;
  before(async () => {
    c = await startCompat({ retries: 0 });
    c.h.apps.put(appVersion('pics', { models: [{ id: GPT }, { id: CLAUDE }], egress: ['images.example.com'] }));
    const key = await c.h.key('pics');
    openai = new OpenAI({ apiKey: key, baseURL: `${c.h.url}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: key, baseURL: c.h.url, maxRetries: 0 });
  });
  after(() => c.close());
  beforeEach(() => c.provider.reset());

  const ask = (url: string) =>
    openai.chat.completions.create({
      model: GPT,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url } },
          ],
        },
      ],
    });
  async function refused(p: Promise<unknown>, pattern: RegExp) {
    const err = (await p.then(
      () => assert.fail('served'),
      (e: ApiErr) => e,
    )) as ApiErr;
    assert.equal(err.status, 403, err.message);
    assert.match(err.message, pattern);
    assert.match(err.headers?.get('x-gatehouse-decision-id') ?? '', /^dec_/);
    assert.equal(c.provider.received.length, 0, 'no provider call');
  }

  it('a declared host reaches the provider unchanged', async () => {
    await ask('https://images.example.com/cat.png');
    const parts = (c.provider.last.body.messages as Array<{ content: Array<{ image_url?: { url: string } }> }>)[0]
      .content;
    assert.equal(parts[1].image_url?.url, 'https://images.example.com/cat.png');
  });

  it('an undeclared host is refused with a 403 naming it (data could ride in the URL)', async () => {
    await refused(
      ask('https://evil.example.net/p.png?ssn=536-22-8173'),
      /host 'evil\.example\.net' is not in app 'pics' spec\.egress/,
    );
  });

  it('hostile URLs: private and metadata addresses, user info, odd spellings, other schemes', async () => {
    await refused(ask('http://10.0.0.7/a.png'), /private|10\.0\.0\.7/);
    await refused(ask('http://169.254.169.254/latest/meta-data'), /metadata|169\.254/);
    await refused(ask('https://images.example.com@evil.example.net/a.png'), /user information/);
    await refused(ask('http://0x7f000001/a.png'), /canonical|loopback|127/);
    await refused(ask('ftp://images.example.com/a.png'), /scheme/);
  });

  it('the Anthropic SDK: a url image source to an undeclared host is refused the same way', async () => {
    await refused(
      // GPT lists the image modality; the Anthropic SDK's url source is translated, and guarded first.
      anthropic.messages.create({
        model: GPT,
        max_tokens: 20,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe' },
              { type: 'image', source: { type: 'url', url: 'https://evil.example.net/p.png' } },
            ],
          },
        ],
      }),
      /evil\.example\.net/,
    );
  });

  it('an Anthropic document block with a URL source is guarded too (the provider would fetch it)', async () => {
    await refused(
      anthropic.messages.create({
        model: CLAUDE,
        max_tokens: 20,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'document', source: { type: 'url', url: 'https://evil.example.net/x.pdf' } },
              { type: 'text', text: 'Summarize' },
            ],
          },
        ],
      }),
      /host 'evil\.example\.net' is not in app 'pics' spec\.egress/,
    );
  });

  it('data URLs need no egress', async () => {
    await ask('data:image/png;base64,iVBORw0KGgo=');
    assert.equal(c.provider.received.length, 1);
  });
});
