// Alert rules end to end inside one process: the shipped examples fire on the design brief's two cases and act
// through the real rollout feature (kill, cap with fallback, snapshot), a real webhook receiver and the store.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { repoPath } from '../core/repo-root.js';
import { ManualClock } from '../core/clock.js';
import { InvalidInputError } from '../core/errors.js';
import type { GovernanceRequest } from '../core/governance.js';
import { silentLogger } from '../core/logger.js';
import type { AuditEventInput } from '../core/sinks.js';
import { parseYamlDocuments } from '../core/yaml-documents.js';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { testDatabases } from '../testing/databases.js';
import { createRolloutFeature } from '../rollout/rollout-feature.js';
import { rolloutMigrations } from '../rollout/rollout-migrations.js';
import { parseAlertRules } from './alert-rule-schema.js';
import { defaultTelemetryConfig } from './telemetry-config.js';
import { createTelemetryFeature, type TelemetryFeature } from './telemetry-feature.js';
import { telemetryMigrations } from './telemetry-migrations.js';

const example = (name: string, port: number) =>
  readFileSync(repoPath('examples', 'alerts', `${name}.yaml`), 'utf8').replace(
    /127\.0\.0\.1:9099/g,
    `127.0.0.1:${port}`,
  );

const request = (app: string, model = 'big-model'): GovernanceRequest => ({
  action: 'model.invoke',
  subject: { user: 'ann', roles: [], groups: [], app, appVersion: 1 },
  resource: { type: 'model', id: model, attributes: {} },
  request: {},
  environment: 'prod',
  app: {
    name: app,
    version: 1,
    owner: 'o',
    environment: 'prod',
    region: 'eu',
    state: 'released',
    models: [model],
    datasets: [],
    connectors: [],
    egress: [],
    spec: { models: [{ id: model, fallback: 'small-model' }] },
  },
});

describe('alert rules through the rollout feature', () => {
  let hooks: { path: string; body: Record<string, unknown> }[] = [];
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hooks.push({
          path: req.url ?? '',
          body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  async function setup(clock: ManualClock) {
    const { db, cleanup } = await testDatabases[0].open([...telemetryMigrations, ...rolloutMigrations]);
    const coord = new MemoryCoordination(clock);
    const audit: AuditEventInput[] = [];
    const sink = { append: async (e: AuditEventInput) => (audit.push(e), { index: audit.length - 1 }) };
    const holder: { tel?: TelemetryFeature } = {};
    const rollout = await createRolloutFeature({
      db,
      coord,
      audit: sink,
      clock,
      logger: silentLogger,
      recentEvents: (a, s) => holder.tel!.pipeline.recent(a, s),
      apps: {
        inForce: async () => undefined,
        latestVersion: async () => ({
          app: 'bank-bot',
          version: 1,
          hash: 'h',
          state: 'released',
          code: {},
          submittedBy: 'c',
          createdAt: 0,
          manifest: { spec: { data: [{ dataset: 'transcripts' }] } } as never,
        }),
        listVersions: async () => [],
      },
      catalog: {
        dataset: (n) =>
          n === 'transcripts'
            ? ({ metadata: { name: n, owner: 'dora' }, spec: { classification: 'pii' } } as never)
            : undefined,
      },
    });
    const tel = (holder.tel = await createTelemetryFeature({
      db,
      coord,
      audit: sink,
      clock,
      logger: silentLogger,
      config: { ...defaultTelemetryConfig, processMetrics: false },
      responder: rollout.service.responder(),
    }));
    hooks = [];
    return {
      tel,
      rollout,
      audit,
      close: async () => {
        await tel.close();
        await rollout.close();
        await cleanup();
      },
    };
  }

  it('case 1: the third SSN detection in 5 minutes notifies the data owner and kills the app, with a snapshot', async () => {
    const clock = new ManualClock();
    const { tel, rollout, audit, close } = await setup(clock);
    try {
      await tel.alerts.apply(
        parseAlertRules(parseYamlDocuments(example('repeated-ssn-kill', port), 'repeated-ssn-kill.yaml')),
        'sec',
      );
      const ssn = (app: string, direction = 'output') =>
        tel.pipeline.emit({
          kind: 'dlp.detection',
          time: clock.now(),
          app,
          appVersion: 1,
          metrics: { count: 1 },
          attrs: { entities: 'US_SSN', direction },
        });
      ssn('bank-bot');
      clock.advance(60_000);
      ssn('bank-bot', 'input');
      ssn('other-app');
      ssn('bank-bot');
      await tel.alerts.idle();
      assert.equal(rollout.service.check(request('bank-bot')), null, 'two output detections are not enough');
      clock.advance(30_000);
      ssn('bank-bot');
      await tel.alerts.idle();
      const refusal = rollout.service.check(request('bank-bot'));
      assert.match(refusal?.reason ?? '', /repeated-ssn-kill/);
      assert.equal(rollout.service.check(request('other-app')), null);
      const [firing] = await tel.alertStore.history({ app: 'bank-bot' });
      assert.equal(firing.rule, 'repeated-ssn-kill');
      assert.equal(firing.events.length, 3);
      assert.equal(firing.containMs, 90_000, 'from the first triggering event (manual clock) to the kill');
      assert.deepEqual(
        firing.actions.map((a) => [a.type, a.ok]),
        [
          ['notify', true],
          ['kill', true],
        ],
      );
      assert.equal(hooks.length, 1);
      assert.equal(hooks[0].path, '/hooks/data-owner');
      assert.deepEqual(hooks[0].body.dataOwners, ['dora']);
      const snaps = await rollout.service.parts.snapshots.list('bank-bot');
      assert.equal(snaps.length, 1);
      const kill = rollout.service.parts.kills.get('app', 'bank-bot');
      assert.equal(kill?.snapshotId, snaps[0].id);
      const fired = audit.find((e) => e.type === 'alert.fired');
      assert.equal((fired?.data.events as unknown[]).length, 3, 'the audit entry carries the triggering events');
      assert.ok(audit.findIndex((e) => e.type === 'snapshot.taken') >= 0);
      assert.equal(firing.auditIndex, audit.indexOf(fired!));
      // cool-down: more detections do not fire again
      for (let i = 0; i < 3; i++) ssn('bank-bot');
      await tel.alerts.idle();
      assert.equal((await tel.alertStore.history({ app: 'bank-bot' })).length, 1);
      // a pii app needs two approvers to come back
      assert.equal(
        (await rollout.service.parts.kills.lift({ scope: 'app', target: 'bank-bot', actor: 'sec', reason: 'fixed' }))
          .lifted,
        false,
      );
    } finally {
      await close();
    }
  });

  it('case 2: a token spike 3x over the EWMA baseline caps the app and falls back to the cheaper model', async () => {
    const clock = new ManualClock(Date.parse('2026-05-01T12:00:00Z'));
    const { tel, rollout, close } = await setup(clock);
    try {
      await tel.alerts.apply(
        parseAlertRules(parseYamlDocuments(example('token-spike-cap', port), 'token-spike-cap.yaml')),
        'sec',
      );
      const call = (app: string, tokens: number) =>
        tel.pipeline.emit({
          kind: 'model.invocation',
          time: clock.now(),
          app,
          model: 'big-model',
          metrics: { tokensIn: tokens / 2, tokensOut: tokens / 2 },
        });
      for (let minute = 0; minute < 8; minute++) {
        call('shop', 1000 + (minute % 2) * 200);
        call('quiet', 20);
        clock.advance(60_000);
      }
      for (let i = 0; i < 3; i++) call('shop', 1000);
      call('quiet', 500); // 25x its baseline but under minVolume
      await tel.alerts.idle();
      assert.equal(rollout.service.parts.caps.limitsFor(request('shop')), null, '3000 tokens: under minVolume 5000');
      call('shop', 2500);
      await tel.alerts.idle();
      const hit = rollout.service.parts.caps.limitsFor(request('shop'));
      assert.deepEqual(hit?.obligations, { maxOutputTokens: 256, tokensPerMinute: 2000 });
      assert.equal(hit?.fallbackModel, 'small-model');
      assert.equal(rollout.service.parts.caps.limitsFor(request('quiet')), null, 'quiet apps do not flap');
      const [firing] = await tel.alertStore.history({ rule: 'token-spike-cap' });
      assert.equal(firing.observed.value, 5500);
      assert.ok(firing.observed.baseline > 1000 && firing.observed.baseline < 1200);
      assert.equal(hooks[0]?.path, '/hooks/finops');
    } finally {
      await close();
    }
  });

  it('regression: p95 latency of the new version against the previous one', async () => {
    const clock = new ManualClock();
    const { tel, close } = await setup(clock);
    try {
      await tel.alerts.apply(
        parseAlertRules([
          {
            source: 'inline',
            value: {
              apiVersion: 'gatehouse/v1',
              kind: 'AlertRule',
              metadata: { name: 'latency-regression' },
              spec: {
                match: { kind: 'model.invocation' },
                condition: { type: 'regression', measure: 'p95_latency', factor: 2, window: '10m', minEvents: 10 },
                actions: [{ notify: { webhook: `http://127.0.0.1:${port}/hooks/oncall` } }],
              },
            },
          },
        ]),
        'sec',
      );
      const call = (v: number, ms: number) =>
        tel.pipeline.emit({
          kind: 'model.invocation',
          time: clock.now(),
          app: 'svc',
          appVersion: v,
          metrics: { latencyMs: ms },
        });
      for (let i = 0; i < 12; i++) call(1, 100 + i);
      for (let i = 0; i < 12; i++) call(2, 150 + i);
      await tel.alerts.idle();
      assert.equal((await tel.alertStore.history({})).length, 0, '1.5x is under the factor');
      for (let i = 0; i < 12; i++) call(2, 400);
      await tel.alerts.idle();
      const [f] = await tel.alertStore.history({});
      assert.equal(f.observed.version, 2);
      assert.equal(f.observed.previousVersion, 1);
    } finally {
      await close();
    }
  });

  it('rejects invalid rules naming the field, and stores none of a bad batch', () => {
    assert.throws(
      () =>
        parseAlertRules([
          {
            source: 'a.yaml#1',
            value: {
              apiVersion: 'gatehouse/v1',
              kind: 'AlertRule',
              metadata: { name: 'x' },
              spec: {
                match: { kind: 'dlp.detection' },
                condition: { type: 'threshold', value: 3, window: 'soon' },
                actions: [{ kill: {} }],
              },
            },
          },
        ]),
      (err: unknown) => err instanceof InvalidInputError && /spec\.condition\.window/.test(err.message),
    );
    assert.throws(
      () =>
        parseAlertRules([
          {
            source: 'a.yaml#1',
            value: {
              apiVersion: 'gatehouse/v1',
              kind: 'AlertRule',
              metadata: { name: 'x' },
              spec: {
                match: { kind: 'run' },
                groupBy: 'user',
                condition: { type: 'threshold', value: 1, window: '1m' },
                actions: [{ rollback: {} }],
              },
            },
          },
        ]),
      /rollback needs groupBy app/,
    );
  });
});
