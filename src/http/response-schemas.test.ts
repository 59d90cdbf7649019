// The response schemas in the OpenAPI document describe what the routes really answer: representative routes are
// called on a real test server and each body is parsed with the zod schema the route declares (the same one the
// document is generated from). A schema that drifted from the handler fails here.
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { z } from 'zod';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import type { AnyRoute } from './route.js';
import { repoPath } from '../core/repo-root.js';

const manifest = (name: string) => ({
  apiVersion: 'gatehouse/v1',
  kind: 'App',
  metadata: { name, owner: 'alice' },
  spec: {
    purpose: 'echo input for tests',
    environment: 'dev',
    region: 'eu-west-1',
    runtime: { tier: 'wasm', entrypoint: 'main.js' },
  },
});
const code = { 'main.js': 'export default async function main(input) { return { got: input } }' };

function routeFor(routes: readonly AnyRoute[], method: string, concrete: string): AnyRoute {
  const path = concrete.split('?')[0];
  const r = routes.find((x) => {
    if (x.method !== method.toLowerCase()) return false;
    const re = new RegExp(`^${x.path.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`);
    return re.test(path);
  });
  assert.ok(r, `a route serves ${method} ${path}`);
  return r;
}

describe('declared response schemas match real responses', () => {
  let t: TestGatehouse;
  let alice = '';
  const checked: string[] = [];
  const check = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await t.api(method, path, body, token);
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    const route = routeFor(t.gh.routes, method, path);
    assert.ok(route.response, `${method} ${route.path} declares a response schema`);
    const parsed = (route.response as z.ZodType).safeParse(res.body);
    assert.ok(parsed.success, `${method} ${path}: ${parsed.error?.message.slice(0, 1500)}`);
    checked.push(`${method} ${route.path}`);
    return res.body as Record<string, unknown>;
  };
  before(async () => {
    t = await startTestGatehouse();
    alice = await t.tokenFor('alice');
  });
  after(() => t.close());

  it('apps: submit, list, page, show, versions, one version, diff, manifest schema', async () => {
    await check('POST', '/api/v1/apps', { manifest: manifest('resp-app'), code }, alice);
    await check(
      'POST',
      '/api/v1/apps',
      { manifest: manifest('resp-app'), code: { 'main.js': code['main.js'] + '\n// v2' } },
      alice,
    );
    await check('GET', '/api/v1/apps');
    await check('GET', '/api/v1/apps?limit=1');
    await check('GET', '/api/v1/apps/resp-app');
    await check('GET', '/api/v1/apps/resp-app/versions');
    await check('GET', '/api/v1/apps/resp-app/versions/1');
    await check('GET', '/api/v1/apps/resp-app/diff?from=1&to=2');
    await check('GET', '/api/v1/schema/manifest');
  });

  it('catalog: list, read, apply', async () => {
    const list = await check('GET', '/api/v1/catalog');
    const first = (list.items as { kind: string; metadata: { name: string } }[])[0];
    assert.ok(first, 'the seeded catalog has entries');
    await check('GET', `/api/v1/catalog/${first.kind}/${first.metadata.name}`);
    await check('POST', '/api/v1/catalog/apply', { documents: [first] });
  });

  it('approvals: list, read, explain, SLA check', async () => {
    const list = await check('GET', '/api/v1/approvals');
    const id = (list.items as { id: string }[])[0]?.id;
    assert.ok(id, 'the submitted app opened an approval');
    await check('GET', `/api/v1/approvals/${id}`);
    await check('GET', '/api/v1/apps/resp-app/explain');
    await check('POST', '/api/v1/approvals/check-slas');
    // the seeded transcript-insights waits for several roles: security approves its slot, then legal rejects
    const pending = await check('GET', '/api/v1/approvals?state=pending');
    const open = (pending.items as { id: string; app: string }[]).find((a) => a.app === 'transcript-insights');
    assert.ok(open, 'the seeded transcript-insights waits for approval');
    await check(
      'POST',
      `/api/v1/approvals/${open.id}/approve`,
      { comment: 'ok for security' },
      await t.tokenFor('sam'),
    );
    await check('POST', `/api/v1/approvals/${open.id}/reject`, { comment: 'needs a DPA' }, await t.tokenFor('lee'));
  });

  it('rollout: kill, kills, lift, caps, flags, rollbacks, snapshots', async () => {
    const k = await check('POST', '/api/v1/kills', { scope: 'app', id: 'resp-app', reason: 'schema check' });
    await check('GET', '/api/v1/kills');
    await check('POST', '/api/v1/kills/lift', { scope: 'app', id: 'resp-app', reason: 'schema check over' });
    await check('POST', '/api/v1/caps', {
      scope: 'app',
      id: 'resp-app',
      reason: 'cap it',
      limits: { maxOutputTokens: 10 },
    });
    await check('GET', '/api/v1/caps');
    await check('POST', '/api/v1/caps/lift', { scope: 'app', id: 'resp-app', reason: 'uncap it' });
    await check('PUT', '/api/v1/flags/resp-app/dev', { enabled: true, percentage: 50 });
    await check('GET', '/api/v1/flags');
    await check('GET', '/api/v1/apps/resp-app/rollbacks');
    await check('GET', '/api/v1/snapshots');
    const snap = (k as { snapshotId?: string }).snapshotId;
    assert.ok(snap, 'a kill takes a snapshot');
    await check('GET', `/api/v1/snapshots/${snap}`);
  });

  it('identity: auth config, whoami, tokens', async () => {
    await check('GET', '/api/v1/auth/config');
    await check('GET', '/api/v1/whoami', undefined, alice);
    const tok = await check('POST', '/api/v1/tokens', { user: 'alice', ttl: '1h' });
    await check('GET', '/api/v1/tokens?user=alice');
    await check('DELETE', `/api/v1/tokens/${tok.tokenId as string}`);
  });

  it('audit: key, checkpoint(s), entries (plain, raw, packed), one entry, proofs', async () => {
    await check('GET', '/api/v1/audit/key');
    const cp = await check('GET', '/api/v1/audit/checkpoint');
    await check('GET', '/api/v1/audit/checkpoints');
    await check('GET', '/api/v1/audit/entries?limit=5');
    await check('GET', '/api/v1/audit/entries?limit=5&raw=1');
    await check('GET', '/api/v1/audit/entries?limit=5&packed=1');
    await check('GET', '/api/v1/audit/entries/0');
    await check('GET', `/api/v1/audit/proof/inclusion?index=0&treeSize=${cp.size as number}`);
    await check('GET', `/api/v1/audit/proof/consistency?from=1&to=${cp.size as number}`);
  });

  it('policies and decisions: list, activations, revision, apply, activate, eval, simulate, log', async () => {
    const list = await check('GET', '/api/v1/policies');
    await check('GET', '/api/v1/policies/activations');
    const rev = await check('GET', `/api/v1/policies/revisions/${list.active as string}`);
    // a smaller bundle becomes the active revision; re-activating the first one goes back
    const files = rev.files as { path: string; content: string }[];
    const changed = files.filter((f) => !f.path.includes('limit-model-tokens'));
    assert.ok(changed.length < files.length && changed.length > 0, files.map((f) => f.path).join());
    await check('POST', '/api/v1/policies', { files: changed });
    await check('POST', `/api/v1/policies/revisions/${list.active as string}/activate`);
    await check('POST', '/api/v1/policies/simulate', { files: rev.files, since: '1h' });
    const log = await check('GET', '/api/v1/decisions?limit=5');
    const d = (log.items as { id: string; input: unknown }[])[0];
    assert.ok(d, 'submitting an app logged a decision');
    await check('GET', `/api/v1/decisions/${d.id}`);
    await check('POST', '/api/v1/policies/eval', { input: d.input });
  });

  it('gateway, sandbox, release, alerts, telemetry: keys, sessions, costs, tiers, a run, release, firings, aggregates', async () => {
    const key = await check('POST', '/api/v1/apps/resp-app/keys', { env: 'dev' }, alice);
    await check('GET', '/api/v1/apps/resp-app/keys', undefined, alice);
    await check('DELETE', `/api/v1/apps/resp-app/keys/${key.id as string}`, undefined, alice);
    await check('POST', '/api/v1/sessions', { app: 'resp-app', user: 'alice', ttl: '5m' }, alice);
    await check('GET', '/api/v1/costs');
    await check('GET', '/api/v1/costs?by=app');
    await check('GET', '/api/v1/sandbox/tiers');
    await check('POST', '/api/v1/apps/resp-app/runs', { input: { hello: 'schema' } }, alice);
    // the shipped rules, applied from the repository's examples
    const content = readFileSync(repoPath('examples', 'alerts', 'token-spike-cap.yaml'), 'utf8');
    await check('POST', '/api/v1/alerts/apply', { files: [{ name: 'token-spike-cap.yaml', content }] });
    await check('GET', '/api/v1/alerts');
    await check('GET', '/api/v1/alerts/history');
    await check('GET', '/api/v1/telemetry/aggregates?dim=app');
    await check('POST', '/api/v1/apps/resp-app/release', { reason: 'schema check' });
    await check('GET', '/api/v1/doctor');
    // a canary of a third version against the released second: start and status (it may end at once: no traffic)
    await check(
      'POST',
      '/api/v1/apps',
      { manifest: manifest('resp-app'), code: { 'main.js': `${code['main.js']}\n// v3` } },
      alice,
    );
    await check('POST', '/api/v1/apps/resp-app/canary', {}, alice);
    await check('GET', '/api/v1/apps/resp-app/canary', undefined, alice);
  });

  it('checked a real spread of routes, with schemas that do refuse a wrong body', async () => {
    assert.ok(new Set(checked).size >= 63, `${new Set(checked).size}: ${[...new Set(checked)].join(', ')}`);
    const show = routeFor(t.gh.routes, 'GET', '/api/v1/apps/x').response as z.ZodType;
    const real = (await t.api('GET', '/api/v1/apps/resp-app')).body as Record<string, unknown>;
    assert.equal(show.safeParse({ ...real, inForce: 'one' }).success, false);
    assert.equal(show.safeParse({ ...real, versions: undefined }).success, false);
  });
});
