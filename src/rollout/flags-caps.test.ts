// Flags (sticky ramp, groups, live changes across replicas, audit) and caps (merge, fallback, expiry).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { InvalidInputError } from '../core/errors.js';
import type { GovernanceRequest } from '../core/governance.js';
import type { AuditEventInput } from '../core/sinks.js';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { testDatabases } from '../testing/databases.js';
import { CapOverlay } from './caps.js';
import { mergeObligations } from '../core/obligations.js';
import { FlagService, evaluateFlag, type Flag } from './flags.js';
import { createOpenFeatureProvider } from './openfeature-provider.js';
import { rolloutMigrations } from './rollout-migrations.js';

const users = Array.from({ length: 2000 }, (_, i) => `user${i}`);
const flag = (percentage: number, groups: string[] = [], enabled = true): Flag => ({
  app: 'bot',
  environment: 'prod',
  enabled,
  percentage,
  groups,
  updatedBy: 'x',
  updatedAt: 0,
});
const modelReq = (app: string, model: string, user = 'ann', groups: string[] = []): GovernanceRequest => ({
  action: 'model.invoke',
  subject: { user, roles: [], groups, app },
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

describe('flag evaluation', () => {
  it('keeps every user who is in at 30% in at 50%, and ramps roughly to the percentage', () => {
    const at30 = users.filter((u) => evaluateFlag(flag(30), u, []).on);
    const at50 = new Set(users.filter((u) => evaluateFlag(flag(50), u, []).on));
    assert.ok(at30.every((u) => at50.has(u)));
    assert.ok(at30.length > 450 && at30.length < 750, `30% of 2000 gave ${at30.length}`);
    assert.ok(at50.size > at30.length);
  });

  it('lets allow-listed groups in at 0% and nobody in when disabled', () => {
    assert.equal(evaluateFlag(flag(0, ['beta']), 'u', ['beta']).on, true);
    assert.equal(evaluateFlag(flag(0, ['beta']), 'u', ['other']).on, false);
    assert.equal(evaluateFlag(flag(100, ['beta'], false), 'u', ['beta']).on, false);
  });
});

for (const t of testDatabases) {
  describe(`flags and caps: ${t.name}`, () => {
    it('applies a flag change on another replica without restart, audits it and keeps it after restart', async () => {
      const { db, cleanup } = await t.open(rolloutMigrations);
      const coord = new MemoryCoordination();
      const audit: AuditEventInput[] = [];
      const sink = { append: async (e: AuditEventInput) => (audit.push(e), { index: 0 }) };
      const a = new FlagService({ db, coord, audit: sink });
      const b = new FlagService({ db, coord, audit: sink });
      try {
        await a.start();
        await b.start();
        assert.equal(b.check(modelReq('bot', 'm')), null);
        await a.set({ app: 'bot', environment: 'prod', enabled: false, actor: 'ops' });
        assert.match(b.check(modelReq('bot', 'm'))?.reason ?? '', /switched off/);
        await a.set({ app: 'bot', environment: 'prod', enabled: true, percentage: 0, groups: ['beta'], actor: 'ops' });
        assert.match(b.check(modelReq('bot', 'm'))?.reason ?? '', /ramped to 0%/);
        assert.equal(b.check(modelReq('bot', 'm', 'ann', ['beta'])), null);
        assert.deepEqual(
          audit.map((e) => [e.type, (e.data.after as { enabled: boolean }).enabled]),
          [
            ['flag.changed', false],
            ['flag.changed', true],
          ],
        );
        await assert.rejects(
          a.set({ app: 'bot', environment: 'prod', percentage: 150, actor: 'ops' }),
          InvalidInputError,
        );
        const restarted = new FlagService({ db, coord: new MemoryCoordination(), audit: sink });
        await restarted.start();
        assert.deepEqual(restarted.get('bot', 'prod')?.groups, ['beta']);
        const of = createOpenFeatureProvider(restarted);
        assert.equal(
          (await of.resolveBooleanEvaluation('bot', true, { targetingKey: 'ann', groups: ['beta'] })).value,
          true,
        );
        assert.equal((await of.resolveBooleanEvaluation('bot', true, { targetingKey: 'ann' })).value, false);
        assert.equal(
          (await of.resolveBooleanEvaluation('missing', true, { targetingKey: 'ann' })).errorCode,
          'FLAG_NOT_FOUND',
        );
      } finally {
        await cleanup();
      }
    });

    it('caps an app with merged limits and its model fallback until the cap expires', async () => {
      const { db, cleanup } = await t.open(rolloutMigrations);
      const clock = new ManualClock();
      const coord = new MemoryCoordination(clock);
      const sink = { append: async () => ({ index: 0 }) };
      const a = new CapOverlay({ db, coord, audit: sink, clock });
      const b = new CapOverlay({ db, coord, audit: sink, clock });
      try {
        await a.start();
        await b.start();
        await a.set({
          scope: 'app',
          target: 'shop',
          limits: { tokensPerMinute: 2000, maxOutputTokens: 512 },
          fallback: true,
          durationMs: 3_600_000,
          reason: 'token spike',
          actor: 'system',
        });
        await a.set({
          scope: 'model',
          target: 'big-model',
          limits: { maxOutputTokens: 256 },
          durationMs: 60_000,
          reason: 'cost',
          actor: 'system',
        });
        const hit = b.limitsFor(modelReq('shop', 'big-model'));
        assert.deepEqual(hit?.obligations, { tokensPerMinute: 2000, maxOutputTokens: 256 });
        assert.equal(hit?.fallbackModel, 'small-model');
        assert.equal(b.limitsFor(modelReq('other', 'm2')), null);
        const restarted = new CapOverlay({ db, coord: new MemoryCoordination(clock), audit: sink, clock });
        await restarted.start();
        assert.equal(restarted.limitsFor(modelReq('shop', 'm'))?.obligations.tokensPerMinute, 2000);
        clock.advance(3_600_001);
        assert.equal(b.limitsFor(modelReq('shop', 'big-model')), null, 'expired');
      } finally {
        await cleanup();
      }
    });
  });
}

describe('mergeObligations', () => {
  it('keeps the most restrictive value of each limit', () => {
    assert.deepEqual(
      mergeObligations(
        { maxOutputTokens: 1000, regions: ['eu', 'us'], mask: false },
        { maxOutputTokens: 300, regions: ['eu'], mask: true, rowLimit: 5 },
      ),
      { maxOutputTokens: 300, regions: ['eu'], mask: true, rowLimit: 5 },
    );
  });
});
