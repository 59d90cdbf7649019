// A blocked value is still a detection: with prompt or output DLP in block mode the refused call's record counts
// the values that caused the block by type, so rules such as repeated-ssn-kill fire while the gateway blocks.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { dlpDetectionsFrom } from '../telemetry/derived-events.js';
import { appVersion, startHarness, type Harness } from './testing/gateway-harness.js';

type ApiErr = Error & { status?: number };

describe('gateway DLP block records what it blocked', () => {
  let h: Harness;
  let client: OpenAI;
  before(async () => {
    h = await startHarness({ config: { outputDlp: 'block', promptDlp: 'block', retries: 0 } });
    h.apps.put(appVersion('leaky', { models: [{ id: 'gpt-cheap' }] }));
    client = new OpenAI({ apiKey: await h.key('leaky'), baseURL: `${h.url}/v1`, maxRetries: 0 });
  });
  after(() => h.close());
  beforeEach(() => {
    h.telemetry.length = 0;
    h.audit.length = 0;
    h.upstream.reply = () => 'Two customers: SSN 536-22-8173 and SSN 536-22-8841.';
  });

  const lastCall = () => h.telemetry.filter((e) => e.kind === 'model.invocation').at(-1)!;

  it('counts blocked output values by type in the telemetry event, the derived detections and the audit entry', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-cheap', messages: [{ role: 'user', content: 'who?' }] }),
      (e: ApiErr) => e.status === 403 && /DLP blocked/.test(e.message),
    );
    const ev = lastCall();
    assert.equal(ev.attrs?.outcome, 'dlp_blocked');
    assert.equal(ev.metrics?.['dlp.output.US_SSN'], 2);
    assert.equal(ev.metrics?.dlpFindings, 2);
    assert.equal(ev.attrs?.outputEntityTypes, 'US_SSN');
    const detections = dlpDetectionsFrom(ev);
    assert.deepEqual(
      detections.map((d) => [d.attrs?.entities, d.attrs?.direction, d.metrics?.count, d.attrs?.action]),
      [['US_SSN', 'output', 2, 'dlp_blocked']],
    );
    const entry = h.audit.filter((e) => e.type === 'model.invocation').at(-1)!;
    assert.deepEqual((entry.data.dlp as { output: unknown }).output, { US_SSN: 2 });
  });

  it('counts a value blocked mid-stream', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-cheap',
      stream: true,
      messages: [{ role: 'user', content: 'who?' }],
    });
    await assert.rejects(async () => {
      for await (const chunk of stream) void chunk;
    }, /DLP blocked/);
    const ev = lastCall();
    assert.equal(ev.attrs?.outcome, 'dlp_blocked');
    assert.ok(Number(ev.metrics?.['dlp.output.US_SSN']) >= 1, JSON.stringify(ev.metrics));
    assert.equal(ev.attrs?.outputEntityTypes, 'US_SSN');
  });

  it('counts blocked prompt values as prompt detections, and never calls the provider', async () => {
    const before = h.upstream.requests.length;
    await assert.rejects(
      client.chat.completions.create({
        model: 'gpt-cheap',
        messages: [{ role: 'user', content: 'my SSN is 536-22-8841' }],
      }),
      (e: ApiErr) => e.status === 403,
    );
    assert.equal(h.upstream.requests.length, before);
    const ev = lastCall();
    assert.equal(ev.metrics?.['dlp.prompt.US_SSN'], 1);
    assert.equal(ev.attrs?.promptEntityTypes, 'US_SSN');
    assert.equal(ev.attrs?.outputEntityTypes, undefined);
  });
});
