// End to end (issue 9 "Done when"), through createGatehouse and HTTP/CLI on 127.0.0.1:
// case 1: SSNs in an app's outputs → the third detection fires repeated-ssn-kill → the app is killed, the next call
// is refused with the reason, the data owner's webhook gets the alert, a snapshot exists, time to contain < 1 s;
// case 2: a token spike crosses token-spike-cap → the app is capped and its model falls back to the cheaper one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../src/core/repo-root.js';
import { ManualClock } from '../src/core/clock.js';
import type { LifecycleState } from '../src/apps/manifest-schema.js';
import { testStores } from '../src/testing/databases.js';
import { startTestGatehouse, type TestGatehouse } from '../src/testing/test-gatehouse.js';
import type { AlertFiring } from '../src/telemetry/alert-engine.js';
import { FakeUpstream } from '../src/demo/fake-upstream.js';
import OpenAI from 'openai';

const APP = 'transcript-insights';

function ruleFile(name: string, port: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'gh-alerts-'));
  const text = readFileSync(repoPath('examples', 'alerts', `${name}.yaml`), 'utf8').replace(
    /127\.0\.0\.1:9099/g,
    `127.0.0.1:${port}`,
  );
  writeFileSync(join(dir, `${name}.yaml`), text);
  return join(dir, `${name}.yaml`);
}

/** Puts the seeded pii app in force (released) so govern() reaches the gate for it. */
async function release(t: TestGatehouse): Promise<void> {
  const v = await t.gh.apps.latestVersion(APP);
  assert.ok(v, 'the seeded app exists');
  let state = v.state as LifecycleState;
  if (state === 'pending_approval' || state === 'draft') {
    await t.gh.apps.lifecycle.transition({
      app: APP,
      version: v.version,
      from: state,
      to: 'approved',
      actor: 'test',
      reason: 'e2e: approve',
    });
    state = 'approved';
  }
  if (state !== 'released')
    await t.gh.apps.lifecycle.transition({
      app: APP,
      version: v.version,
      from: state,
      to: 'released',
      actor: 'test',
      reason: 'e2e: put in force',
    });
}

function govern(t: TestGatehouse, model: string) {
  return t.gh.governor.govern({
    action: 'model.invoke',
    subject: { user: 'alice', app: APP },
    resource: { type: 'model', id: model },
    request: { inputTokens: 100, maxOutputTokens: 400 },
  });
}

describe('rollout end to end', () => {
  const hooks: { path: string; body: Record<string, unknown> }[] = [];
  let receiver: Server;
  let port = 0;
  before(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        hooks.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    port = (receiver.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => receiver.close(() => r())));

  for (const store of testStores)
    it(`case 1 (${store}): repeated SSNs in outputs kill the app within a second, notify the data owner, keep a snapshot`, async () => {
      hooks.length = 0;
      const t = await startTestGatehouse({ store });
      try {
        await release(t);
        const applied = await t.cli(['alerts', 'apply', ruleFile('repeated-ssn-kill', port)]);
        assert.equal(applied.code, 0, applied.err);
        assert.match(
          (await t.cli(['alerts', 'list'])).out,
          /repeated-ssn-kill .*dlp\.detection by app: count >= 3 in 300s → notify → kill/,
        );
        const before = await govern(t, 'gpt-4o');
        assert.doesNotMatch(before.reason, /Kill switch/);

        const inflight = t.gh.observability.signalFor({ app: APP, user: 'alice', model: 'gpt-4o' });
        const ssn = () =>
          t.gh.observability.sink.emit({
            kind: 'dlp.detection',
            time: Date.now(),
            app: APP,
            appVersion: 1,
            user: 'alice',
            model: 'gpt-4o',
            metrics: { count: 1 },
            attrs: { entities: 'US_SSN', direction: 'output', action: 'mask' },
          });
        ssn();
        ssn();
        assert.doesNotMatch(
          (await govern(t, 'gpt-4o')).reason,
          /Kill switch/,
          'two detections are under the threshold',
        );
        ssn();
        await t.gh.observability.telemetry.alerts.idle();

        assert.equal(inflight.aborted, true, 'in-flight work subscribed to the app is cut');
        assert.match(String((inflight.reason as Error).message), /repeated-ssn-kill/);
        const refused = await govern(t, 'gpt-4o');
        assert.equal(refused.effect, 'deny');
        assert.match(
          refused.reason,
          /Kill switch kil_\w+ on app 'transcript-insights': alert alr_\w+ \(repeated-ssn-kill\)/,
        );
        const kills = await t.api('GET', '/api/v1/kills');
        assert.equal((kills.body.kills as { target: string; source: string }[])[0].source, 'alert:repeated-ssn-kill');

        assert.equal(hooks.length, 1);
        assert.equal(hooks[0].path, '/hooks/data-owner');
        assert.deepEqual(hooks[0].body.dataOwners, ['dana']);
        assert.equal(hooks[0].body.rule, 'repeated-ssn-kill');

        const hist = await t.api('GET', `/api/v1/alerts/history?app=${APP}`);
        const [firing] = hist.body.firings as AlertFiring[];
        assert.equal(firing.events.length, 3);
        assert.ok(firing.containMs !== undefined && firing.containMs < 1000, `time to contain ${firing.containMs} ms`);
        const cliHist = await t.cli(['alerts', 'history', '--app', APP]);
        assert.match(cliHist.out, /time to contain: \d+ ms/);

        const snaps = await t.cli(['snapshot', 'list', '--app', APP, '--json']);
        const [snap] = (JSON.parse(snaps.out) as { snapshots: { id: string; hash: string; auditIndex: number }[] })
          .snapshots;
        assert.ok(snap, 'a snapshot was taken');
        const shown = await t.cli(['snapshot', 'show', snap.id]);
        assert.match(shown.out, /matches the audited hash/);
        assert.match(shown.out, /events: +[1-9]/);
        const body = (await t.api('GET', `/api/v1/snapshots/${snap.id}`)).body.body as {
          decisions: { id: string }[];
          manifest: { version: number };
        };
        assert.ok(
          body.decisions.some((d) => d.id === before.id),
          "the app's recent decisions are in the snapshot",
        );
        assert.equal(body.manifest.version, 1);
        const out = join(t.home, 'snap.json');
        assert.equal((await t.cli(['snapshot', 'export', snap.id, '--out', out])).code, 0);
        assert.equal((JSON.parse(readFileSync(out, 'utf8')) as { hash: string }).hash, snap.hash);

        // only operators may kill or lift; bad input is a 400 / exit 2 naming the field
        const alice = await t.tokenFor('alice');
        assert.equal(
          (await t.api('POST', '/api/v1/kills/lift', { scope: 'app', id: APP, reason: 'i am the creator' }, alice))
            .status,
          403,
        );
        assert.equal(
          (await t.api('POST', '/api/v1/kills', { scope: 'app', id: 'faq-bot', reason: 'nope' }, alice)).status,
          403,
        );
        const badScope = await t.cli(['kill', 'tenant', 'x', '--reason', 'typo']);
        assert.equal(badScope.code, 2);
        assert.match(badScope.err, /scope 'tenant' is not one of: app, app_version, connector, model, user/);
        assert.equal((await t.api('POST', '/api/v1/kills', { scope: 'app', id: 'faq-bot', reason: '' })).status, 400);
        const badEnv = await t.api('PUT', '/api/v1/flags/faq-bot/production', { percentage: 10 });
        assert.equal(badEnv.status, 400);
        assert.match(badEnv.body.error?.message ?? '', /environment 'production' must be one of dev, staging, prod/);
        const flag = await t.cli(['flag', 'set', 'faq-bot', 'dev', '--percent', '0', '--groups', 'beta']);
        assert.equal(flag.code, 0, flag.err);
        assert.match((await t.cli(['flag', 'list', 'faq-bot'])).out, /faq-bot +dev +on +0% {2}groups: beta/);
        const ramped = await t.gh.governor.govern({
          action: 'model.invoke',
          subject: { user: 'alice', app: 'faq-bot' },
          resource: { type: 'model', id: 'gpt-4o-mini' },
          request: {},
        });
        assert.equal(ramped.effect, 'deny');
        assert.match(ramped.reason, /App 'faq-bot' is ramped to 0% and user 'alice' is not in the ramp/);

        // pii data: two distinct approvers to lift
        const dana = await t.tokenFor('dana');
        const sam = await t.tokenFor('sam');
        const first = await t.cli(['unkill', 'app', APP, '--reason', 'prompt fixed'], dana);
        assert.equal(first.code, 0, first.err);
        assert.match(first.out, /approval recorded \(1\/2/);
        const again = await t.cli(['unkill', 'app', APP, '--reason', 'me again'], dana);
        assert.equal(again.code, 1);
        assert.equal((await govern(t, 'gpt-4o')).effect, 'deny');
        const second = await t.cli(['unkill', 'app', APP, '--reason', 'verified'], sam);
        assert.match(second.out, /lifted/);
        assert.doesNotMatch((await govern(t, 'gpt-4o')).reason, /Kill switch/);
      } finally {
        await t.close();
      }
    });

  it('case 2: a token spike caps the app and routes its model to the cheaper fallback', async () => {
    const clock = new ManualClock(Date.parse('2026-06-01T10:00:00Z'));
    const up = await new FakeUpstream({ apiKey: 'sk-e2e-provider' }).start();
    const t = await startTestGatehouse({ clock });
    try {
      await release(t);
      assert.equal((await t.cli(['alerts', 'apply', ruleFile('token-spike-cap', port)])).code, 0);
      const call = (tokens: number) =>
        t.gh.observability.sink.emit({
          kind: 'model.invocation',
          time: clock.now(),
          app: APP,
          appVersion: 1,
          user: 'alice',
          model: 'gpt-4o',
          metrics: { tokensIn: tokens * 0.8, tokensOut: tokens * 0.2 },
        });
      for (let m = 0; m < 6; m++) {
        call(900);
        call(900);
        clock.advance(60_000);
      }
      for (let i = 0; i < 4; i++) call(1500);
      await t.gh.observability.telemetry.alerts.idle();
      const capped = await govern(t, 'gpt-4o');
      assert.equal(capped.effect, 'deny');
      assert.match(capped.reason, /cap_\w+ .*fallback 'gpt-4o-mini' serves instead/);
      const fallback = await govern(t, 'gpt-4o-mini');
      assert.doesNotMatch(fallback.reason, /Kill switch|kills the route/);
      assert.equal(fallback.effect, 'allow', fallback.reason);
      assert.ok(Number(fallback.obligations.maxOutputTokens) <= 256, JSON.stringify(fallback.obligations));
      const caps = await t.api('GET', '/api/v1/caps');
      assert.deepEqual((caps.body.caps as { limits: Record<string, number> }[])[0].limits, {
        maxOutputTokens: 256,
        tokensPerMinute: 2000,
      });
      assert.ok(hooks.some((h) => h.path === '/hooks/finops'));

      // through the model gateway: a call to gpt-4o is served by gpt-4o-mini with the capped output limit
      for (const name of ['gpt-4o', 'gpt-4o-mini']) {
        await t.gh.catalog.apply(
          [
            {
              source: 'test',
              value: {
                apiVersion: 'gatehouse/v1',
                kind: 'Model',
                metadata: { name },
                spec: {
                  provider: 'openai',
                  upstream: up.baseUrl,
                  region: 'eu-west-1',
                  version: '1',
                  pricing: {
                    inputPerMTok: name === 'gpt-4o' ? 2.5 : 0.15,
                    outputPerMTok: name === 'gpt-4o' ? 10 : 0.6,
                  },
                  environments: ['dev', 'staging', 'prod'],
                  risk: 'low',
                },
              },
            },
          ],
          'admin',
        );
        mkdirSync(join(t.home, 'model-keys'), { recursive: true });
        writeFileSync(join(t.home, 'model-keys', name), 'sk-e2e-provider\n', { mode: 0o600 });
      }
      const made = await t.cli(['app', 'key', 'create', APP, '--json']);
      assert.equal(made.code, 0, made.err);
      const client = new OpenAI({
        apiKey: (JSON.parse(made.out) as { key: string }).key,
        baseURL: `${t.url}/v1`,
        maxRetries: 0,
      });
      const { data, response } = await client.chat.completions
        .create({ model: 'gpt-4o', user: 'alice', messages: [{ role: 'user', content: 'Summarise this week' }] })
        .withResponse();
      assert.equal(response.headers.get('x-gatehouse-fallback-from'), 'gpt-4o');
      assert.equal(data.model, 'gpt-4o-mini');
      assert.equal(up.requests.length, 1, 'the expensive model was never called');
      assert.equal(up.requests[0].body.model, 'gpt-4o-mini');
      assert.ok(Number(up.requests[0].body.max_tokens) <= 256, `max_tokens ${String(up.requests[0].body.max_tokens)}`);
    } finally {
      await t.close();
      await up.close();
    }
  });

  it('case 1 through the model gateway: SSNs in model outputs → third call fires the rule → the fourth call is refused', async () => {
    const up = await new FakeUpstream({ apiKey: 'sk-e2e-provider' }).start();
    up.reply = () => 'The customer on file is John Smith, SSN 536-22-8173.';
    const t = await startTestGatehouse();
    try {
      await t.useProvider('gpt-4o-mini', up.baseUrl, 'sk-e2e-provider');
      const v = await t.gh.apps.latestVersion('faq-bot');
      if (!(await t.gh.apps.inForce('faq-bot')))
        await t.gh.apps.lifecycle.transition({
          app: 'faq-bot',
          version: v!.version,
          from: v!.state,
          to: 'approved',
          actor: 'admin',
          reason: 'rollout e2e',
        });
      assert.equal((await t.cli(['alerts', 'apply', ruleFile('repeated-ssn-kill', port)])).code, 0);
      const made = await t.cli(['app', 'key', 'create', 'faq-bot', '--json']);
      const client = new OpenAI({
        apiKey: (JSON.parse(made.out) as { key: string }).key,
        baseURL: `${t.url}/v1`,
        maxRetries: 0,
      });
      const ask = () =>
        client.chat.completions.create({
          model: 'gpt-4o-mini',
          user: 'alice',
          messages: [{ role: 'user', content: 'Who called yesterday?' }],
        });
      hooks.length = 0;
      for (let i = 0; i < 3; i++) {
        const r = await ask();
        assert.doesNotMatch(r.choices[0].message.content ?? '', /536-22-8173/, 'the DLP engine masked the SSN');
      }
      await t.gh.observability.telemetry.alerts.idle();
      await assert.rejects(
        ask(),
        (e: Error & { status?: number }) =>
          e.status === 403 &&
          /Kill switch kil_\w+ on app 'faq-bot': alert alr_\w+ \(repeated-ssn-kill\)/.test(e.message),
      );
      assert.equal(up.requests.length, 3, 'the refused call never reached the provider');
      const [firing] = (await t.api('GET', '/api/v1/alerts/history?app=faq-bot')).body.firings as AlertFiring[];
      assert.ok(firing.containMs !== undefined && firing.containMs < 1000, `time to contain ${firing.containMs} ms`);
      assert.equal(hooks.filter((h) => h.path === '/hooks/data-owner').length, 1);
      assert.equal((await t.api('GET', '/api/v1/snapshots?app=faq-bot')).body.snapshots instanceof Array, true);
      assert.equal(((await t.api('GET', '/api/v1/snapshots?app=faq-bot')).body.snapshots as unknown[]).length, 1);
      assert.equal((await fetch(`${t.url}/metrics`)).status, 401, '/metrics names apps and spend: private');
      const asAuditor = { headers: { authorization: `Bearer ${await t.tokenFor('ada')}` } };
      const asCreator = { headers: { authorization: `Bearer ${await t.tokenFor('alice')}` } };
      assert.equal((await fetch(`${t.url}/metrics`, asCreator)).status, 401, 'a creator may not read every app spend');
      const metrics = await fetch(`${t.url}/metrics`, asAuditor).then((r) => r.text());
      assert.match(metrics, /gatehouse_dlp_detections_total\{app="faq-bot",entity="US_SSN"\} 3/);
      assert.match(metrics, /gatehouse_alert_firings_total\{rule="repeated-ssn-kill",app="faq-bot"\} 1/);
      // The auditor's token scoped to the gateway only does not read metrics: scopes bind raw mounts too.
      const gatewayOnly = (await t.api('POST', '/api/v1/tokens', { user: 'ada', scopes: ['gateway'] })).body
        .token as string;
      const asGatewayToken = { headers: { authorization: `Bearer ${gatewayOnly}` } };
      assert.equal((await fetch(`${t.url}/metrics`, asGatewayToken)).status, 401, 'a gateway-scoped token');
    } finally {
      await t.close();
      await up.close();
    }
  });

  it('rollback: `gatehouse app rollback` puts the previous released version back in force, with a snapshot, audited', async () => {
    const t = await startTestGatehouse();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'gh-faq-'));
      cpSync(repoPath('examples', 'apps', 'faq-bot'), dir, { recursive: true });
      const manifest = join(dir, 'app.yaml');
      writeFileSync(
        manifest,
        readFileSync(manifest, 'utf8').replace(
          'description: Answers product questions',
          'description: Answers product questions (v2)',
        ),
      );
      const alice = await t.tokenFor('alice');
      const sub = await t.cli(['app', 'submit', manifest, '--json'], alice);
      assert.equal(sub.code, 0, sub.err);
      const v2 = (JSON.parse(sub.out) as { version: number }).version;
      assert.equal(v2, 2);
      for (const n of [1, 2]) {
        const v = await t.gh.apps.getVersion('faq-bot', n);
        await t.gh.apps.lifecycle.transition({
          app: 'faq-bot',
          version: n,
          from: v!.state,
          to: 'released',
          actor: 'test',
          reason: 'e2e release',
        });
      }
      assert.equal((await t.gh.apps.inForce('faq-bot'))?.version, 2);
      const denied = await t.cli(['app', 'rollback', 'faq-bot', '--reason', 'bad answers'], alice);
      assert.equal(denied.code, 1, 'a creator may not roll back');
      const r = await t.cli(['app', 'rollback', 'faq-bot', '--reason', 'bad answers since v2']);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /rolled back faq-bot: v2 → v1 \(rbk_\w+\); snapshot snp_\w+/);
      assert.equal((await t.gh.apps.inForce('faq-bot'))?.version, 1);
      assert.equal((await t.gh.apps.getVersion('faq-bot', 2))?.state, 'rolled_back');
      const again = await t.cli(['app', 'rollback', 'faq-bot']);
      assert.equal(again.code, 1);
      assert.match(again.err, /no known-good version before 1/);
      const snaps = (await t.api('GET', '/api/v1/snapshots?app=faq-bot')).body.snapshots as { reason: string }[];
      assert.match(snaps[0].reason, /before rollback of faq-bot v2/);
      await t.gh.auditLog.flush();
      const entries = await t.gh.auditLog.entries({ app: 'faq-bot', type: 'app.rolled_back', limit: 5 });
      assert.equal(entries.length, 1);
    } finally {
      await t.close();
    }
  });
});
