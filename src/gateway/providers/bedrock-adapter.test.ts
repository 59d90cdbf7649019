// The Bedrock adapter against a fake that verifies SigV4: chat JSON, ConverseStream (binary event stream), a tool
// call both ways, the translation of system/images/tool results/inferenceConfig, and the error mapping (wrong secret,
// unknown key id, throttling, a malformed credential, embeddings).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { UpstreamEvent } from '../gateway-types.js';
import { BedrockFake, BEDROCK_USAGE } from '../testing/bedrock-fake.js';
import { modelDoc } from '../testing/gateway-harness.js';
import { UpstreamClient, UpstreamError, type UpstreamTarget } from '../upstream-client.js';

type Obj = Record<string, unknown>;
const CREDS = { accessKeyId: 'AKIAFAKEBEDROCK01', secretAccessKey: 'fake/Secret+Key/for/sigv4/tests0000000' };
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const PARAMS = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

const chat = (stream: boolean, over: Obj = {}): Obj => ({
  model: MODEL,
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'hello there' },
  ],
  max_tokens: 50,
  temperature: 0.2,
  top_p: 0.9,
  stop: ['END'],
  stream,
  ...(stream ? { stream_options: { include_usage: true } } : {}),
  ...over,
});
const tools = {
  tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: PARAMS } }],
  tool_choice: 'required',
};

async function collect(it: AsyncIterable<UpstreamEvent>) {
  let text = '';
  const calls = [];
  let finish = '';
  const usage: Obj = {};
  for await (const ev of it) {
    if (ev.type === 'text') text += ev.text;
    else if (ev.type === 'tool_call') calls.push(ev.call);
    else if (ev.type === 'finish') finish = ev.finishReason;
    else Object.assign(usage, ev.usage);
  }
  return { text, calls, finish, usage };
}

describe('bedrock adapter (Converse / ConverseStream, SigV4)', () => {
  let fake: BedrockFake;
  let up: UpstreamClient;
  let t: UpstreamTarget;
  before(async () => {
    fake = await new BedrockFake(CREDS, 'us-east-1').start();
    up = new UpstreamClient({
      timeoutMs: 5000,
      retries: 2,
      retryBaseMs: 10,
      breakerFailures: 50,
      breakerHalfOpenMs: 1000,
      deadlineMs: 5000,
    });
    const doc = modelDoc('claude-bedrock', 'bedrock', fake.url, {
      upstreamModel: MODEL,
      bedrock: { region: 'us-east-1', credentials: 'key' },
    });
    t = { name: 'claude-bedrock', doc, baseUrl: doc.spec.upstream, upstreamModel: MODEL, key: JSON.stringify(CREDS) };
  });
  after(async () => {
    await up.close();
    await fake.close();
  });
  const last = () => fake.received.at(-1)!;

  it('chat JSON: signed request to /model/{id}/converse with a Converse body; text, finish and usage back', async () => {
    const before = fake.verified;
    const r = await up.complete(t, { body: chat(false) });
    assert.equal(fake.verified, before + 1, 'the fake recomputed and accepted the SigV4 signature');
    assert.equal(last().path, `/model/${encodeURIComponent(MODEL)}/converse`);
    assert.match(
      String(last().headers.authorization),
      /^AWS4-HMAC-SHA256 Credential=AKIAFAKEBEDROCK01\/\d{8}\/us-east-1\/bedrock\/aws4_request/,
    );
    assert.deepEqual(last().body, {
      messages: [{ role: 'user', content: [{ text: 'hello there' }] }],
      system: [{ text: 'Be brief.' }],
      inferenceConfig: { maxTokens: 50, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
    });
    assert.equal(r.text, 'Bedrock: hello there');
    assert.equal(r.finishReason, 'stop');
    assert.deepEqual(r.usage, BEDROCK_USAGE);
    assert.ok(!JSON.stringify(last().headers).includes(CREDS.secretAccessKey));
  });

  it('stream: the binary event stream decodes into text deltas, the finish reason and usage', async () => {
    const got = await collect(await up.stream(t, { body: chat(true) }));
    assert.equal(last().path, `/model/${encodeURIComponent(MODEL)}/converse-stream`);
    assert.equal(last().headers.accept, 'application/vnd.amazon.eventstream');
    assert.equal(got.text, 'Bedrock: hello there');
    assert.equal(got.finish, 'stop');
    assert.deepEqual(got.usage, BEDROCK_USAGE);
  });

  it('a tool call: toolSpec/toolChoice out, toolUse back (JSON and stream); tool results go back as toolResult', async () => {
    fake.toolCalls.push({ id: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } });
    const r = await up.complete(t, { body: chat(false, tools) });
    assert.deepEqual(last().body.toolConfig, {
      tools: [{ toolSpec: { name: 'get_weather', description: 'Weather', inputSchema: { json: PARAMS } } }],
      toolChoice: { any: {} },
    });
    assert.equal(r.finishReason, 'tool_calls');
    assert.deepEqual(r.toolCalls, [{ id: 'tooluse_1', name: 'get_weather', arguments: '{"city":"Paris"}' }]);
    fake.toolCalls.push({ id: 'tooluse_2', name: 'get_weather', input: { city: 'Oslo' } });
    const s = await collect(await up.stream(t, { body: chat(true, tools) }));
    assert.equal(s.finish, 'tool_calls');
    assert.deepEqual(
      s.calls.map((c) => [c.id, c.name, JSON.parse(c.arguments)]),
      [['tooluse_2', 'get_weather', { city: 'Oslo' }]],
    );

    const followUp = chat(false, {
      ...tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'weather?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'tooluse_1', content: 'sunny' },
        { role: 'user', content: 'thanks' },
      ],
    });
    await up.complete(t, { body: followUp });
    assert.deepEqual(last().body.messages, [
      { role: 'user', content: [{ text: 'weather?' }, { image: { format: 'png', source: { bytes: 'iVBORw0K' } } }] },
      {
        role: 'assistant',
        content: [{ toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } } }],
      },
      {
        role: 'user',
        content: [{ toolResult: { toolUseId: 'tooluse_1', content: [{ text: 'sunny' }] } }, { text: 'thanks' }],
      },
    ]);
    assert.deepEqual((last().body.toolConfig as Obj).toolChoice, { tool: { name: 'get_weather' } });
  });

  it("a wrong secret fails the fake's signature check and maps to a 502 naming the model, not the secret", async () => {
    const bad = { ...t, key: JSON.stringify({ ...CREDS, secretAccessKey: 'wrong-secret-xyz' }) };
    const rejected = fake.rejected;
    const err = (await up.complete(bad, { body: chat(false) }).catch((e: unknown) => e)) as UpstreamError;
    assert.ok(err instanceof UpstreamError, String(err));
    assert.equal(fake.rejected, rejected + 1, 'one attempt: a refused credential is not retried');
    assert.equal(err.status, 502);
    assert.match(
      err.message,
      /Model 'claude-bedrock': AWS Bedrock refused the provider credential .*InvalidSignatureException/,
    );
    assert.equal(err.extra.credentialRefused, true);
    assert.doesNotMatch(err.message, /wrong-secret|fake\/Secret/);
    const unknownId = { ...t, key: JSON.stringify({ ...CREDS, accessKeyId: 'AKIAUNKNOWN' }) };
    const e2 = (await up.stream(unknownId, { body: chat(true) }).catch((e: unknown) => e)) as UpstreamError;
    assert.equal(e2.status, 502);
    assert.match(e2.message, /UnrecognizedClientException/);
  });

  it('throttling is a 429 with Retry-After naming the model (not retried: the provider said when to come back)', async () => {
    fake.errors.push({
      status: 429,
      type: 'ThrottlingException',
      message: 'Too many requests, please wait before trying again.',
    });
    const n = fake.verified;
    const err = (await up.complete(t, { body: chat(false) }).catch((e: unknown) => e)) as UpstreamError;
    assert.equal(err.status, 429);
    assert.ok(Number(err.extra.retryAfterSeconds) >= 1);
    assert.match(err.message, /Model 'claude-bedrock': .*rate limiting/);
    assert.equal(fake.verified, n + 1);
    assert.equal((await up.complete(t, { body: chat(false) })).text, 'Bedrock: hello there');
  });

  it('a malformed stored credential, refused fields and embeddings are clear errors that never echo the key', async () => {
    const junk = { ...t, key: 'AKIA:not-json-secret-123' };
    const e = (await up.complete(junk, { body: chat(false) }).catch((x: unknown) => x)) as UpstreamError;
    assert.equal(e.status, 502);
    assert.match(e.message, /not usable for Bedrock \(not JSON\).*gatehouse model key set claude-bedrock/);
    assert.doesNotMatch(e.message, /not-json-secret/);
    await assert.rejects(up.complete(t, { body: chat(false, { seed: 3 }) }), /'seed'/);
    await assert.rejects(
      up.complete(t, { body: chat(false, { response_format: { type: 'json_object' } }) }),
      /JSON mode/,
    );
    await assert.rejects(
      up.embed(t, { model: MODEL, input: 'a' }),
      (x: Error & { status?: number }) => x.status === 400,
    );
  });

  it('a session token is signed and checked', async () => {
    const withToken = { ...CREDS, sessionToken: 'FwoGZXIvYXdzEFAKE' };
    const fake2 = await new BedrockFake(withToken, 'eu-west-1').start();
    try {
      const doc = modelDoc('b2', 'bedrock', fake2.url, {
        upstreamModel: MODEL,
        bedrock: { region: 'eu-west-1', credentials: 'key' },
      });
      const t2 = { name: 'b2', doc, baseUrl: doc.spec.upstream, upstreamModel: MODEL, key: JSON.stringify(withToken) };
      assert.equal((await up.complete(t2, { body: chat(false) })).text, 'Bedrock: hello there');
      assert.equal(fake2.received.at(-1)!.headers['x-amz-security-token'], withToken.sessionToken);
      const noToken = { ...t2, key: JSON.stringify(CREDS) };
      await assert.rejects(up.complete(noToken, { body: chat(false) }), /refused the provider credential/);
    } finally {
      await fake2.close();
    }
  });
});
