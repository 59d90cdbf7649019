// Every refusal (400, 403, 429, 503) through the official SDK carries x-gatehouse-decision-id naming a deny: govern()'s
// own, or one the gateway recorded (Governor.recordRefusal) for a refusal it made after an allow or before asking.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { appVersion, modelDoc } from '../../src/gateway/testing/gateway-harness.js';
import { GPT, startCompat, type Compat } from './compat-harness.js';

type ApiErr = Error & { status?: number; headers?: Headers };

describe('refusals carry a decision id and are recorded as refusals', () => {
  let c: Compat;
  let capped: OpenAI;
  let broke: OpenAI;
  before(async () => {
    c = await startCompat({ retries: 0 });
    c.h.catalog.put(modelDoc('no-key', 'openai', `${c.provider.url}/v1`));
    c.h.apps.put(
      appVersion('refusals', {
        models: [{ id: GPT, maxOutputTokens: 50 }, { id: 'no-key' }],
      }),
    );
    // $1 per MTok input: a 20-token prompt costs $0.00002, over this whole budget.
    c.h.apps.put(appVersion('broke', { models: [{ id: GPT }], budgets: { dailyCostUsd: 0.000001 } }));
    capped = new OpenAI({ apiKey: await c.h.key('refusals'), baseURL: `${c.h.url}/v1`, maxRetries: 0 });
    broke = new OpenAI({ apiKey: await c.h.key('broke'), baseURL: `${c.h.url}/v1`, maxRetries: 0 });
  });
  after(() => c.close());
  beforeEach(() => {
    c.h.governor.refused.length = 0;
    c.h.governor.obligations = {};
    c.h.governor.deny.clear();
  });

  async function refusal(p: Promise<unknown>, status: number) {
    const err = (await p.then(
      () => assert.fail(`expected a ${status}`),
      (e: ApiErr) => e,
    )) as ApiErr;
    assert.equal(err.status, status, err.message);
    const id = err.headers?.get('x-gatehouse-decision-id') ?? '';
    assert.match(id, /^dec_/, `a ${status} without a decision id`);
    return { err, id };
  }
  const recorded = (id: string) => {
    const r = c.h.governor.refused.find((x) => x.decision.id === id);
    assert.ok(r, `refusal ${id} was not recorded (recorded: ${c.h.governor.refused.map((x) => x.decision.id)})`);
    return r;
  };
  const user = (content: string) => [{ role: 'user' as const, content }];

  it('400 for a body that does not validate: recorded against the key app, no allowing decision', async () => {
    const { id } = await refusal(
      capped.chat.completions.create({ model: GPT, messages: user('hi'), temperature: 7 }),
      400,
    );
    const r = recorded(id);
    assert.equal(r.refusal.code, 'invalid_request');
    assert.equal(r.refusal.status, 400);
    assert.equal(r.refusal.after, undefined);
    assert.equal(r.input.subject.app, 'refusals');
    assert.equal(r.input.resource.id, GPT);
  });

  it('400 for a cap the request breaks after govern() allowed: a new deny naming the allow', async () => {
    const { id, err } = await refusal(
      capped.chat.completions.create({ model: GPT, messages: user('hi'), max_tokens: 500 }),
      400,
    );
    const r = recorded(id);
    assert.equal(r.refusal.code, 'limit_exceeded');
    assert.equal(r.decision.matched[0].policy, 'limit:maxOutputTokens');
    assert.match(r.refusal.after ?? '', /^dec_/);
    assert.notEqual(r.refusal.after, id);
    assert.match(err.message, /max_tokens 500 is over the limit of 50/);
  });

  it('403 from a DLP block after the allow: recorded as dlp_blocked', async () => {
    c.h.governor.obligations = { promptDlp: 'block' };
    const { id } = await refusal(
      capped.chat.completions.create({ model: GPT, messages: user('SSN 536-22-8173') }),
      403,
    );
    assert.equal(recorded(id).refusal.code, 'dlp_blocked');
    assert.equal(c.provider.received.length, 0, 'nothing reached the provider');
  });

  it('403 from govern() itself: its own deny id, not recorded twice', async () => {
    c.h.governor.deny.set(GPT, 'no models today');
    const { id } = await refusal(capped.chat.completions.create({ model: GPT, messages: user('hi') }), 403);
    assert.equal(c.h.governor.refused.length, 0);
    assert.notEqual(id, '');
  });

  it('429 from a budget: a deny in the decision log, not the allow that preceded it', async () => {
    const { id, err } = await refusal(broke.chat.completions.create({ model: GPT, messages: user('hello') }), 429);
    const r = recorded(id);
    assert.equal(r.refusal.code, 'budget_exhausted');
    assert.equal(r.decision.matched[0].policy, 'budget:app_daily_cost');
    assert.match(r.refusal.after ?? '', /^dec_/);
    assert.ok(err.headers?.get('retry-after'));
  });

  it('503 when the model has no provider key: recorded as unavailable', async () => {
    const { id } = await refusal(capped.chat.completions.create({ model: 'no-key', messages: user('hi') }), 503);
    assert.equal(recorded(id).refusal.code, 'unavailable');
  });
});
