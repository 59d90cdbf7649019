// End-to-end: the foundation flow of the README tour, through HTTP and the CLI, on SQLite and PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../src/core/repo-root.js';
import { testStores } from '../src/testing/databases.js';
import { startTestGatehouse, type TestGatehouse } from '../src/testing/test-gatehouse.js';

function appDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gh-app-'));
  for (const f of ['app.yaml', 'main.js']) copyFileSync(repoPath('examples', 'apps', 'faq-bot', f), join(dir, f));
  const m = join(dir, 'app.yaml');
  writeFileSync(m, readFileSync(m, 'utf8').replace('name: faq-bot', `name: ${name}`));
  return dir;
}

for (const store of testStores) {
  describe(`foundation flow on ${store}`, () => {
    let t: TestGatehouse;
    let alice: string;
    before(async () => {
      t = await startTestGatehouse({ store });
      alice = await t.tokenFor('alice');
    });
    after(async () => t.close());

    it('seeds the example catalog and apps on first start', async () => {
      const list = await t.cli(['catalog', 'list', 'model', '--json']);
      assert.equal(list.code, 0, list.err);
      const names = (JSON.parse(list.out) as { items: { metadata: { name: string } }[] }).items.map(
        (i) => i.metadata.name,
      );
      assert.ok(names.includes('gpt-4o-mini'));
      const apps = await t.api('GET', '/api/v1/apps');
      assert.deepEqual((apps.body.items as { name: string }[]).map((a) => a.name).sort(), [
        'faq-bot',
        'transcript-insights',
      ]);
    });

    it('applies the catalog idempotently', async () => {
      const r = await t.cli(['catalog', 'apply', repoPath('examples', 'catalog'), '--json']);
      assert.equal(r.code, 0, r.err);
      const results = (JSON.parse(r.out) as { results: { action: string }[] }).results;
      assert.ok(results.length > 10);
      assert.ok(results.every((x) => x.action === 'unchanged'));
    });

    it('submits v1, returns it again for identical content, makes v2 on change, and diffs them', async () => {
      const dir = appDir(`flow-${store}`);
      const v1 = await t.cli(['app', 'submit', join(dir, 'app.yaml'), '--json'], alice);
      assert.equal(v1.code, 0, v1.err);
      const s1 = JSON.parse(v1.out) as { version: number; hash: string; created: boolean };
      assert.equal(s1.version, 1);
      assert.match(s1.hash, /^[0-9a-f]{64}$/);
      const again = JSON.parse((await t.cli(['app', 'submit', join(dir, 'app.yaml'), '--json'], alice)).out) as {
        version: number;
        created: boolean;
        hash: string;
      };
      assert.deepEqual([again.version, again.created, again.hash], [1, false, s1.hash]);
      const m = join(dir, 'app.yaml');
      writeFileSync(m, readFileSync(m, 'utf8').replace('temperature: 0.2', 'temperature: 0.4'));
      const s2 = JSON.parse((await t.cli(['app', 'submit', m, '--json'], alice)).out) as {
        version: number;
        hash: string;
      };
      assert.equal(s2.version, 2);
      assert.notEqual(s2.hash, s1.hash);
      const diff = await t.cli(['app', 'diff', `flow-${store}`, '1', '2']);
      assert.equal(diff.code, 0, diff.err);
      assert.match(diff.out, /spec\.models\[0\]\.temperature: 0\.2 → 0\.4/);
      const versions = JSON.parse((await t.cli(['app', 'versions', `flow-${store}`, '--json'])).out) as {
        items: { version: number }[];
      };
      assert.deepEqual(
        versions.items.map((v) => v.version),
        [1, 2],
      );
    });

    it('rejects a broken manifest naming the field and stores nothing', async () => {
      const dir = appDir(`broken-${store}`);
      const m = join(dir, 'app.yaml');
      writeFileSync(m, readFileSync(m, 'utf8').replace('id: gpt-4o-mini', 'id: gpt-4o-mimi'));
      const r = await t.cli(['app', 'submit', m], alice);
      assert.equal(r.code, 2);
      assert.match(r.err, /spec\.models\[0\]\.id: unknown model 'gpt-4o-mimi' \(did you mean .*'gpt-4o-mini'/);
      const show = await t.api('GET', `/api/v1/apps/broken-${store}`);
      assert.equal(show.status, 404);
      const wrongType = await t.api(
        'POST',
        '/api/v1/apps',
        {
          manifest: {
            apiVersion: 'gatehouse/v1',
            kind: 'App',
            metadata: { name: 'x', owner: 'alice' },
            spec: { environment: 'qa' },
          },
          code: {},
        },
        alice,
      );
      assert.equal(wrongType.status, 400);
      assert.ok(wrongType.body.error?.details.some((d) => d.path === 'spec.environment'));
    });

    it('rejects malformed YAML and unknown kinds with the document and nothing stored', async () => {
      const bad = await t.api('POST', '/api/v1/catalog/apply', {
        files: [
          {
            name: 'x.yaml',
            content:
              'apiVersion: gatehouse/v1\nkind: Dataset\nmetadata: {name: ok-ds, owner: dana}\nspec: {classification: public, region: eu}\n---\nkind: Widget\n',
          },
        ],
      });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error!.message, /x\.yaml#2\.kind: unknown kind "Widget"/);
      const ds = await t.api('GET', '/api/v1/catalog/dataset/ok-ds');
      assert.equal(ds.status, 404, 'the valid document in a rejected apply must not be stored');
      const yaml = await t.api('POST', '/api/v1/catalog/apply', { files: [{ name: 'y.yaml', content: 'a: [1,\n' }] });
      assert.equal(yaml.status, 400);
      assert.match(yaml.body.error!.message, /y\.yaml:\d+: malformed YAML/);
    });

    it('answers 401 without a token, 403 for a role that may not act, 413 for an oversized body', async () => {
      assert.equal((await t.api('GET', '/api/v1/apps', undefined, '')).status, 401);
      assert.equal((await t.api('GET', '/api/v1/apps', undefined, 'nope')).status, 401);
      const forbidden = await t.api('POST', '/api/v1/tokens', { user: 'bob' }, alice);
      assert.equal(forbidden.status, 403);
      const big = await t.api(
        'POST',
        '/api/v1/apps',
        JSON.stringify({ manifest: {}, code: { 'a.js': 'x'.repeat(1_100_000) } }),
        alice,
      );
      assert.equal(big.status, 413);
      const notJson = await t.api('POST', '/api/v1/apps', '{not json', alice);
      assert.equal(notJson.status, 400);
    });

    it('serves health and an OpenAPI document that lists every route', async () => {
      const health = await t.api('GET', '/healthz', undefined, '');
      assert.equal(health.status, 200);
      assert.equal(health.body.status, 'ok');
      t.gh.health.report('kill-broadcast', 'a kill switch change was not broadcast');
      const degraded = await t.api('GET', '/healthz', undefined, '');
      assert.equal(degraded.body.status, 'degraded');
      assert.deepEqual(
        (degraded.body.problems as { component: string }[]).map((p) => p.component),
        ['kill-broadcast'],
      );
      t.gh.health.report('kill-broadcast', undefined);
      const doc = await t.api('GET', '/api/openapi.json', undefined, '');
      assert.equal(doc.body.openapi, '3.1.0');
      const paths = doc.body.paths as Record<string, Record<string, unknown>>;
      for (const r of t.gh.routes) {
        const p = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        assert.ok(paths[p]?.[r.method], `${r.method} ${p} missing from OpenAPI`);
      }
    });
  });
}

describe('submit-time sandbox checks', () => {
  it('rejects a microvm app on this host, and code that does not compile, naming the field and storing nothing', async () => {
    const t = await startTestGatehouse({ seed: true });
    try {
      const alice = await t.tokenFor('alice');
      const manifest = (tier: string) => ({
        apiVersion: 'gatehouse/v1',
        kind: 'App',
        metadata: { name: `vm-${tier}`, owner: 'alice' },
        spec: {
          purpose: 'tries another tier',
          environment: 'dev',
          region: 'eu-west-1',
          runtime: { tier, entrypoint: 'main.js' },
        },
      });
      const vm = await t.api(
        'POST',
        '/api/v1/apps',
        { manifest: manifest('microvm'), code: { 'main.js': 'export default async () => 1;' } },
        alice,
      );
      assert.equal(vm.status, 400);
      assert.match(vm.body.error!.message, /spec\.runtime\.tier: microvm tier unavailable on this host: /);
      const broken = await t.api(
        'POST',
        '/api/v1/apps',
        { manifest: manifest('wasm'), code: { 'main.js': 'export default async function main( {' } },
        alice,
      );
      assert.equal(broken.status, 400, JSON.stringify(broken.body));
      assert.match(broken.body.error!.message, /does not compile: main\.js:1: /);
      assert.equal((await t.api('GET', '/api/v1/apps/vm-microvm')).status, 404);
      assert.equal((await t.api('GET', '/api/v1/apps/vm-wasm')).status, 404);
    } finally {
      await t.close();
    }
  });
});
