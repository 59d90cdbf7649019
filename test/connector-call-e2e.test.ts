// Issue 23 item 2, end to end with the real governor and the example policies: every ctx.http.fetch through a
// declared connector is governed as `connector.call` with the connector's catalog attributes (so
// deny_unapproved_connector runs at run time), and a declared, approved connector covers its own endpoints without
// its host in spec.egress. An unapproved connector does not: its host must be in spec.egress as well.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGatehouse, type TestGatehouse } from '../src/testing/test-gatehouse.js';

const MAIN = `export default async function main(input, ctx) {
  try {
    const r = await ctx.http.fetch(input.url);
    return { status: r.status, body: await r.json() };
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
}
`;

describe('connector use at run time', () => {
  let t: TestGatehouse;
  let server: Server;
  let base = '';
  before(async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await startTestGatehouse();
    const connector = (name: string, path: string, approved: boolean) => ({
      source: 'test',
      value: {
        apiVersion: 'gatehouse/v1',
        kind: 'Connector',
        metadata: { name, owner: 'dana' },
        spec: { kind: 'http', endpoints: [`${base}${path}*`], sensitive: true, approved, allowPrivateNetwork: true },
      },
    });
    await t.gh.catalog.apply([connector('crm-ok', '/crm/', true), connector('crm-raw', '/raw/', false)], 'admin');
  });
  after(async () => {
    await t.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  /** Submits and approves an app declaring both connectors (spec.egress as given), as alice. */
  async function app(name: string, egress: string[]): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'gh-conn-'));
    writeFileSync(join(dir, 'main.js'), MAIN);
    writeFileSync(
      join(dir, 'app.yaml'),
      [
        'apiVersion: gatehouse/v1',
        'kind: App',
        `metadata: { name: ${name}, owner: alice }`,
        'spec:',
        '  purpose: Pull CRM notes for the weekly summary',
        '  environment: dev',
        '  region: eu-west-1',
        '  runtime: { tier: wasm, entrypoint: main.js }',
        '  connectors: [{ id: crm-ok }, { id: crm-raw }]',
        `  egress: ${JSON.stringify(egress)}`,
        '',
      ].join('\n'),
    );
    const sub = await t.cli(['app', 'submit', join(dir, 'app.yaml'), '--json'], await t.tokenFor('alice'));
    assert.equal(sub.code, 0, sub.err);
    const v = (await t.gh.apps.latestVersion(name))!;
    if (v.state !== 'approved')
      await t.gh.apps.lifecycle.transition({
        app: name,
        version: v.version,
        from: v.state,
        to: 'approved',
        actor: 'sam',
        reason: 'connector e2e',
      });
  }

  const run = async (name: string, url: string, user = 'alice') => {
    const r = await t.api('POST', `/api/v1/apps/${name}/runs`, { input: { url }, user });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.output as { status?: number; body?: unknown; error?: string };
  };

  const decisions = async (name: string, action: string) =>
    (
      (await t.api('GET', `/api/v1/decisions?app=${name}&action=${action}&limit=50`)).body.items as {
        effect: string;
        resource?: { id: string };
        reason: string;
      }[]
    ).map((d) => d.effect);

  it('reaches an approved connector without its host in spec.egress, governed as connector.call', async () => {
    await app('crm-notes', []);
    const out = await run('crm-notes', `${base}/crm/notes?week=12`);
    assert.deepEqual(out, { status: 200, body: { path: '/crm/notes?week=12' } });
    assert.deepEqual(await decisions('crm-notes', 'connector.call'), ['allow']);
  });

  it('refuses an unapproved sensitive connector by deny_unapproved_connector, at run time', async () => {
    await app('crm-raw-user', [new URL(base).host]);
    const out = await run('crm-raw-user', `${base}/raw/dump`);
    assert.match(out.error ?? '', /connector\.call on 'crm-raw' denied by policy 'deny_unapproved_connector'/);
    assert.match(out.error ?? '', /ask its owner dana to approve it/);
    assert.deepEqual(await decisions('crm-raw-user', 'connector.call'), ['deny']);
  });

  it('lets a data owner use the unapproved connector when its host is in spec.egress, and not otherwise', async () => {
    const withEgress = await run('crm-raw-user', `${base}/raw/dump`, 'dana');
    assert.equal(withEgress.status, 200, JSON.stringify(withEgress));
    await app('crm-raw-no-egress', []);
    const without = await run('crm-raw-no-egress', `${base}/raw/dump`, 'dana');
    assert.match(
      without.error ?? '',
      /not approved in the catalog, so its host .* must be in the app manifest's spec\.egress/,
    );
  });
});
