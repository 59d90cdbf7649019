// Keys with their own limits at the gateway: an expired key, a model outside the key's list, a key over its
// budget or rpm, a source outside its networks are each refused with the reason and a decision id; service keys
// name their app; key and team flow into cost rows, audit and telemetry.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { appVersion, startHarness, type Harness } from './testing/gateway-harness.js';
import type { KeyCreateInput } from './key-store.js';

interface Answer {
  status: number;
  headers: Headers;
  body: { error?: { message: string; gatehouse?: Record<string, unknown> } } & Record<string, unknown>;
}

async function chat(h: Harness, key: string, model = 'gpt-small', headers: Record<string, string> = {}) {
  const r = await fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, max_tokens: 20, messages: [{ role: 'user', content: 'hello' }] }),
  });
  return { status: r.status, headers: r.headers, body: (await r.json()) as Answer['body'] };
}

describe('keys with their own limits', () => {
  let h: Harness;
  const clock = new ManualClock(Date.now());
  const make = async (i: Omit<KeyCreateInput, 'kind'> & { kind?: 'app' | 'service' }) =>
    h.gateway.credentials.keys.create({ kind: 'app', app: 'desk', ...i }, 'alice');
  before(async () => {
    h = await startHarness({ clock });
    h.apps.put(appVersion('desk', { models: [{ id: 'gpt-small' }, { id: 'gpt-cheap' }] }));
    h.apps.put(appVersion('other', { models: [{ id: 'gpt-small' }] }));
    h.upstream.reply = 'word '.repeat(20);
  });
  after(() => h.close());

  it('new keys expire in 90 days unless --ttl never is explicit; an expired key is refused naming its expiry', async () => {
    const k = await make({ ttl: '1h' });
    assert.equal((await make({})).expiresAt, clock.now() + 90 * 86_400_000);
    assert.equal((await make({ ttl: 'never' })).expiresAt, undefined);
    assert.equal((await chat(h, k.key)).status, 200);
    clock.advance(3_600_001);
    const r = await chat(h, k.key);
    assert.equal(r.status, 401);
    assert.match(r.body.error!.message, new RegExp(`Key ${k.id} expired at ${new Date(k.expiresAt!).toISOString()}`));
    const decision = r.headers.get('x-gatehouse-decision-id');
    assert.ok(decision, 'the refusal carries a decision id');
    const entry = h.audit.find((e) => e.ids?.decisionId === decision);
    assert.equal(entry?.type, 'gateway.key.refused');
    assert.equal(entry?.data.keyId, k.id);
  });

  it('refuses a model outside the key list with 403 naming model and key (patterns allowed)', async () => {
    const k = await make({ limits: { models: ['gpt-s*'] } });
    assert.equal((await chat(h, k.key, 'gpt-small')).status, 200);
    const r = await chat(h, k.key, 'gpt-cheap');
    assert.equal(r.status, 403);
    assert.match(r.body.error!.message, new RegExp(`Model 'gpt-cheap' is not allowed for key ${k.id}`));
    assert.equal(r.body.error!.gatehouse!.reason, 'model_not_allowed');
    const decision = r.headers.get('x-gatehouse-decision-id');
    assert.ok(decision);
    const entry = h.audit.find((e) => e.ids?.decisionId === decision);
    assert.equal(entry?.data.outcome, 'denied');
    assert.equal(entry?.data.keyId, k.id);
  });

  it('refuses a key over its daily budget with 429, the remaining amount and the reset time', async () => {
    // gpt-small: $1/M in, $4/M out; one call reserves ~ (8 in + 20 out) tokens ≈ $0.000088.
    const k = await make({ limits: { dailyUsd: 0.0002 } });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await chat(h, k.key));
    const refused = results.filter((r) => r.status !== 200);
    assert.ok(results[0].status === 200 && refused.length >= 1, results.map((r) => r.status).join(','));
    const r = refused[0];
    assert.equal(r.status, 429);
    assert.equal(r.body.error!.gatehouse!.budget, 'key_daily_cost');
    assert.match(
      r.body.error!.message,
      new RegExp(`Key ${k.id} daily budget of \\$0\\.0002 (is spent|has \\$[0-9.]+ left).*it resets at`),
    );
    assert.equal(typeof r.body.error!.gatehouse!.remainingUsd, 'number');
    assert.ok(Date.parse(String(r.body.error!.gatehouse!.resetsAt)) > clock.now());
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    assert.ok(r.headers.get('x-gatehouse-decision-id'));
  });

  it('refuses a key over its monthly budget and its rpm with Retry-After', async () => {
    const m = await make({ limits: { monthlyUsd: 0.0001 } });
    assert.equal((await chat(h, m.key)).status, 200);
    const mr = await chat(h, m.key);
    assert.equal(mr.status, 429);
    assert.equal(mr.body.error!.gatehouse!.budget, 'key_monthly_cost');
    const k = await make({ limits: { rpm: 2 } });
    assert.equal((await chat(h, k.key)).status, 200);
    assert.equal((await chat(h, k.key)).status, 200);
    const r = await chat(h, k.key);
    assert.equal(r.status, 429);
    assert.equal(r.body.error!.gatehouse!.budget, 'key_requests_per_minute');
    assert.match(r.body.error!.message, /requests per minute/);
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
  });

  it('refuses a source outside the key networks; X-Forwarded-For is not believed from an untrusted peer', async () => {
    const out = await make({ limits: { cidrs: ['10.0.0.0/8', '2001:db8::/32'] } });
    const r = await chat(h, out.key, 'gpt-small', { 'x-forwarded-for': '10.1.2.3' });
    assert.equal(r.status, 403);
    assert.match(r.body.error!.message, new RegExp(`Key ${out.id} may not be used from 127\\.0\\.0\\.1`));
    assert.ok(r.headers.get('x-gatehouse-decision-id'));
    const inside = await make({ limits: { cidrs: ['127.0.0.0/8'] } });
    assert.equal((await chat(h, inside.key)).status, 200);
  });

  it('a team service key names its app in x-gatehouse-app, within its allowed apps', async () => {
    const k = await make({ kind: 'service', app: undefined, team: 'search', limits: { apps: ['desk'] } });
    assert.equal(k.owner, 'team:search');
    const none = await chat(h, k.key);
    assert.equal(none.status, 400);
    assert.match(none.body.error!.message, /x-gatehouse-app/);
    assert.equal((await chat(h, k.key, 'gpt-small', { 'x-gatehouse-app': 'other' })).status, 403);
    const ok = await chat(h, k.key, 'gpt-small', { 'x-gatehouse-app': 'desk' });
    assert.equal(ok.status, 200);
    const t = h.telemetry.filter((e) => e.ids?.decisionId === ok.headers.get('x-gatehouse-decision-id'));
    assert.equal(t[0]?.attrs?.keyId, k.id);
    assert.equal(t[0]?.attrs?.team, 'search');
    assert.equal(t[0]?.user, 'team:search');
  });

  it('a user service key calls as that user: the request cannot name another one', async () => {
    const k = await make({ kind: 'service', app: undefined, user: 'sophie' });
    const ok = await chat(h, k.key, 'gpt-small', { 'x-gatehouse-app': 'desk', 'x-gatehouse-user': 'mallory' });
    assert.equal(ok.status, 200);
    const e = h.audit.find((a) => a.ids?.decisionId === ok.headers.get('x-gatehouse-decision-id'));
    assert.equal(e?.actor, 'sophie');
  });

  it('costs group by key and team', async () => {
    const a = await make({ metadata: { team: 'billing', costCenter: 'cc-7' } });
    await chat(h, a.key);
    await chat(h, a.key);
    const byKey = await h.gateway.ledger.query({ by: 'key', key: a.id });
    assert.deepEqual(
      byKey.lines.map((l) => [l.key, l.requests]),
      [[a.id, 2]],
    );
    const byTeam = await h.gateway.ledger.query({ by: 'team', app: 'desk' });
    assert.equal(byTeam.lines.find((l) => l.key === 'billing')?.requests, 2);
    const res = await fetch(`${h.url}/api/v1/costs?app=desk&by=team`, {
      headers: { authorization: 'Bearer alice-token' },
    });
    const api = (await res.json()) as { lines: Array<{ key: string; requests: number }> };
    assert.equal(api.lines.find((l) => l.key === 'billing')?.requests, 2);
  });
});
