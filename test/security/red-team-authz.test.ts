// Issue 22 red-team attacks on who may act for an app: takeover by resubmission, other people's flags and keys,
// an owner lifting a kill on their own app alone, session tokens without expiry, and unauthenticated /metrics.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { parse } from 'yaml';
import { repoPath } from '../../src/core/repo-root.js';
import { startTestGatehouse, type TestGatehouse } from '../../src/testing/test-gatehouse.js';

type Manifest = { metadata: Record<string, unknown>; spec: Record<string, unknown> };
const faqManifest = (): Manifest =>
  parse(readFileSync(repoPath('examples', 'apps', 'faq-bot', 'app.yaml'), 'utf8')) as Manifest;
const faqCode = { 'main.js': readFileSync(repoPath('examples', 'apps', 'faq-bot', 'main.js'), 'utf8') };

function variant(patch: { name?: string; owner?: string; maintainers?: string[]; purpose?: string }): Manifest {
  const m = faqManifest();
  return {
    ...m,
    metadata: {
      ...m.metadata,
      ...(patch.name ? { name: patch.name } : {}),
      ...(patch.owner ? { owner: patch.owner } : {}),
      ...(patch.maintainers ? { maintainers: patch.maintainers } : {}),
    },
    spec: { ...m.spec, purpose: patch.purpose ?? 'Answer questions, a changed version for the red team' },
  };
}

describe('red team: authorization around apps (issue 22 items 1, 2, 9)', () => {
  let t: TestGatehouse;
  const tok: Record<string, string> = {};
  before(async () => {
    t = await startTestGatehouse();
    for (const u of ['alice', 'bob', 'sam', 'dana', 'ada', 'root']) tok[u] = await t.tokenFor(u);
  });
  after(async () => t.close());
  const submit = (m: Manifest, who: string) => t.api('POST', '/api/v1/apps', { manifest: m, code: faqCode }, tok[who]);

  it('item 1: a creator cannot submit a version of an app someone else owns, under any owner name', async () => {
    const before = (await t.gh.apps.listVersions('faq-bot')).length;
    const asBob = await submit(variant({ owner: 'bob' }), 'bob');
    assert.equal(asBob.status, 403, JSON.stringify(asBob.body));
    assert.match(asBob.body.error!.message, /owner of app 'faq-bot' \(alice\)/);
    assert.equal((await submit(variant({ owner: 'alice' }), 'bob')).status, 403, 'claiming the real owner');
    assert.equal((await t.gh.apps.listVersions('faq-bot')).length, before, 'nothing was stored');
  });

  it('item 1: the owner cannot hand the app over or add maintainers alone; an admin can, audited', async () => {
    const handOver = await submit(variant({ owner: 'bob' }), 'alice');
    assert.equal(handOver.status, 403);
    assert.match(handOver.body.error!.message, /admin action/);
    assert.equal((await submit(variant({ maintainers: ['bob'] }), 'alice')).status, 403);
    const byAdmin = await submit(
      variant({ owner: 'alice', maintainers: ['bob'], purpose: 'Answer, now co-run' }),
      'root',
    );
    assert.equal(byAdmin.body.created, true, JSON.stringify(byAdmin.body));
    const asMaintainer = await submit(
      variant({ owner: 'alice', maintainers: ['bob'], purpose: 'Answer, by a maintainer' }),
      'bob',
    );
    assert.equal(asMaintainer.body.created, true, 'a named maintainer may submit versions');
    const moved = await submit(variant({ owner: 'bob', maintainers: ['bob'], purpose: 'Answer, moved' }), 'root');
    assert.equal(moved.body.created, true, JSON.stringify(moved.body));
    const audit = await t.api('GET', '/api/v1/audit/entries?type=app.owner_changed', undefined, tok.ada);
    const entries = audit.body.entries as { event: { actor: string; data: Record<string, string> } }[];
    assert.ok(
      entries.some(({ event: e }) => e.actor === 'root' && e.data.from === 'alice' && e.data.to === 'bob'),
      JSON.stringify(audit.body),
    );
  });

  it('item 1: a new app must name its submitter as owner (or maintainer)', async () => {
    const r = await submit(variant({ name: 'not-mine', owner: 'alice' }), 'bob');
    assert.equal(r.status, 403);
    assert.equal((await submit(variant({ name: 'bobs-bot', owner: 'bob' }), 'bob')).body.created, true);
  });

  it("item 2: a creator cannot change another app's rollout flag", async () => {
    const r = await t.api('PUT', '/api/v1/flags/transcript-insights/dev', { enabled: false }, tok.bob);
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal((await t.api('PUT', '/api/v1/flags/bobs-bot/dev', { percentage: 50 }, tok.bob)).status, 200);
    assert.equal((await t.api('PUT', '/api/v1/flags/no-such-app/dev', { enabled: false }, tok.bob)).status, 404);
  });

  it("item 2: an app's owner cannot lift a security kill on their own app alone", async () => {
    const kill = await t.api('POST', '/api/v1/kills', { scope: 'app', id: 'bobs-bot', reason: 'red team' }, tok.sam);
    assert.equal(kill.status, 201, JSON.stringify(kill.body));
    const byOwner = await t.api(
      'POST',
      '/api/v1/kills/lift',
      { scope: 'app', id: 'bobs-bot', reason: 'mine' },
      tok.bob,
    );
    assert.equal(byOwner.status, 200, JSON.stringify(byOwner.body));
    assert.equal(byOwner.body.lifted, false, 'the owner (a data_owner) approved alone');
    assert.ok(t.gh.observability.rollout.service.parts.kills.list().some((k) => k.target === 'bobs-bot'));
    const second = await t.api(
      'POST',
      '/api/v1/kills/lift',
      { scope: 'app', id: 'bobs-bot', reason: 'checked, safe' },
      tok.dana,
    );
    assert.equal(second.body.lifted, true, JSON.stringify(second.body));
  });

  it("item 9: a creator cannot list another app's key ids", async () => {
    assert.equal((await t.api('POST', '/api/v1/apps/bobs-bot/keys', {}, tok.bob)).status, 201);
    assert.equal((await t.api('GET', '/api/v1/apps/bobs-bot/keys', undefined, tok.alice)).status, 403);
    assert.equal((await t.api('GET', '/api/v1/apps/bobs-bot/keys', undefined, tok.dana)).status, 403);
    const own = await t.api('GET', '/api/v1/apps/bobs-bot/keys', undefined, tok.bob);
    assert.equal((own.body.keys as unknown[]).length, 1);
    assert.equal((await t.api('GET', '/api/v1/apps/bobs-bot/keys', undefined, tok.ada)).status, 200, 'auditors may');
  });

  it('item 9: a session token signed with the right key but without exp is refused', async () => {
    const secret = new TextEncoder().encode(readFileSync(`${t.home}/gateway-session.key`, 'utf8').trim());
    const v = await t.gh.apps.inForce('faq-bot');
    assert.ok(v, 'faq-bot is in force');
    const forever = await new SignJWT({ app: 'faq-bot', ver: v.version, sid: 'ses_forever' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('gatehouse')
      .setAudience('gatehouse-gateway')
      .setSubject('alice')
      .setIssuedAt()
      .sign(secret);
    const res = await fetch(`${t.url}/v1/models`, { headers: { authorization: `Bearer ${forever}` } });
    assert.equal(res.status, 401, await res.text());
  });

  it('item 9: spec.users.groups is enforced in identify: outside the groups, a catalog user cannot use the app', async () => {
    const input = { action: 'app.run', resource: { type: 'app', id: 'faq-bot' } } as const;
    const dana = await t.gh.governor.govern({ ...input, subject: { user: 'dana', app: 'faq-bot' } });
    assert.equal(dana.effect, 'deny');
    assert.ok(await t.gh.apps.inForce('faq-bot'), 'faq-bot is in force, so only the group rule can refuse');
    assert.match(dana.reason ?? '', /not in the groups app faq-bot serves \(spec.users.groups: support\)/);
    const alice = await t.gh.governor.govern({ ...input, subject: { user: 'alice', app: 'faq-bot' } });
    assert.doesNotMatch(alice.reason ?? '', /spec.users.groups/, 'alice is in support');
    const run = await t.api('POST', '/api/v1/apps/faq-bot/runs', { input: {} }, tok.dana);
    assert.notEqual(run.status, 201, JSON.stringify(run.body));
  });

  it('item 9: GET /metrics names apps and spend, so it needs a token by default', async () => {
    assert.equal((await fetch(`${t.url}/metrics`)).status, 401);
    const h = (u: string) => ({ headers: { authorization: `Bearer ${tok[u]}` } });
    assert.equal((await fetch(`${t.url}/metrics`, h('alice'))).status, 401);
    assert.equal((await fetch(`${t.url}/metrics`, h('ada'))).status, 200);
  });
});
