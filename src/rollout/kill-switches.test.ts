// Kill switches: O(1) refusal, propagation to another replica by broadcast, persistence, stream cut, two approvers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { ConflictError, InvalidInputError, PolicyDeniedError } from '../core/errors.js';
import type { GovernanceRequest } from '../core/governance.js';
import type { AuditEventInput } from '../core/sinks.js';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { testDatabases } from '../testing/databases.js';
import { KillSwitches } from './kill-switches.js';
import { rolloutMigrations } from './rollout-migrations.js';
import { parseScope } from './scopes.js';
import { REDIS, suiteNeeds, TEST_REDIS_URL } from '../testing/requires.js';

const req = (
  over: Partial<GovernanceRequest['subject']> = {},
  resource: GovernanceRequest['resource'] = { type: 'model', id: 'gpt', attributes: {} },
): GovernanceRequest => ({
  action: 'model.invoke',
  subject: { user: 'ann', roles: [], groups: [], app: 'bot', appVersion: 2, ...over },
  resource,
  request: {},
});

for (const t of testDatabases) {
  describe(`kill switches: ${t.name}`, () => {
    it('refuses every scope it covers, on another replica too, and survives a restart', async () => {
      const { db, cleanup } = await t.open(rolloutMigrations);
      const coord = new MemoryCoordination();
      const audit: AuditEventInput[] = [];
      const sink = { append: async (e: AuditEventInput) => (audit.push(e), { index: audit.length - 1 }) };
      const a = new KillSwitches({ db, coord, audit: sink });
      const b = new KillSwitches({ db, coord, audit: sink });
      try {
        await a.start();
        await b.start();
        assert.equal(b.check(req()), null);
        const { kill } = await a.kill({ scope: 'app', target: 'bot', reason: 'leaking SSNs', actor: 'sec' });
        const hit = b.check(req());
        assert.equal(hit?.scope, 'app:bot');
        assert.match(hit?.reason ?? '', /leaking SSNs/);
        assert.equal(b.check(req({ app: 'other' })), null);
        await a.kill({ scope: 'model', target: 'gpt', reason: 'bad model', actor: 'sec' });
        assert.equal(b.check(req({ app: 'other' }))?.scope, 'model:gpt');
        await a.kill({ scope: 'user', target: 'mallory', reason: 'abuse', actor: 'sec' });
        assert.equal(
          b.check(req({ app: 'x', user: 'mallory' }, { type: 'dataset', id: 'd', attributes: {} }))?.scope,
          'user:mallory',
        );
        await a.kill({ scope: 'app_version', target: 'svc@3', reason: 'regression', actor: 'sec' });
        assert.equal(b.check(req({ app: 'svc', appVersion: 2 }, { type: 'dataset', id: 'd', attributes: {} })), null);
        assert.equal(
          b.check(req({ app: 'svc', appVersion: 3 }, { type: 'dataset', id: 'd', attributes: {} }))?.scope,
          'app_version:svc@3',
        );
        await a.kill({ scope: 'connector', target: 'crm', reason: 'breach', actor: 'sec' });
        assert.equal(
          b.check(req({ app: 'y' }, { type: 'connector', id: 'crm', attributes: {} }))?.scope,
          'connector:crm',
        );
        assert.deepEqual(
          audit.filter((e) => e.type === 'kill.set').map((e) => e.data.target),
          ['bot', 'gpt', 'mallory', 'svc@3', 'crm'],
        );
        const again = await a.kill({ scope: 'app', target: 'bot', reason: 'dup', actor: 'sec' });
        assert.equal(again.created, false);
        assert.equal(again.kill.id, kill.id);
        const restarted = new KillSwitches({ db, coord: new MemoryCoordination(), audit: sink });
        await restarted.start();
        assert.equal(restarted.check(req())?.scope, 'app:bot');
        assert.equal(restarted.list().length, 5);
      } finally {
        await a.stop();
        await b.stop();
        await cleanup();
      }
    });

    it('needs two distinct approvers to lift a kill on a pii app; the same approver twice does not lift it', async () => {
      const { db, cleanup } = await t.open(rolloutMigrations);
      const coord = new MemoryCoordination();
      const audit: AuditEventInput[] = [];
      const sink = { append: async (e: AuditEventInput) => (audit.push(e), { index: 0 }) };
      const needed = async (_s: string, target: string) => (target === 'pii-bot' ? 2 : 1);
      const a = new KillSwitches({ db, coord, audit: sink, approversNeeded: needed, clock: new ManualClock() });
      const b = new KillSwitches({ db, coord, audit: sink, approversNeeded: needed });
      try {
        await a.start();
        await b.start();
        await a.kill({ scope: 'app', target: 'pii-bot', reason: 'ssn', actor: 'sec' });
        const first = await a.lift({ scope: 'app', target: 'pii-bot', actor: 'alice', reason: 'fixed' });
        assert.equal(first.lifted, false);
        assert.equal(first.needed, 2);
        await assert.rejects(
          a.lift({ scope: 'app', target: 'pii-bot', actor: 'alice', reason: 'again' }),
          ConflictError,
        );
        assert.ok(b.check(req({ app: 'pii-bot' })), 'still killed after one approver');
        const second = await a.lift({ scope: 'app', target: 'pii-bot', actor: 'bob', reason: 'verified' });
        assert.equal(second.lifted, true);
        assert.deepEqual(second.approvals, ['alice', 'bob']);
        assert.equal(b.check(req({ app: 'pii-bot' })), null, 'lift reached the other replica');
        assert.deepEqual(
          audit.map((e) => e.type),
          ['kill.set', 'kill.lift_approved', 'kill.lifted'],
        );
        await a.kill({ scope: 'app', target: 'plain', reason: 'x', actor: 'sec' });
        assert.equal((await a.lift({ scope: 'app', target: 'plain', actor: 'alice', reason: 'ok' })).lifted, true);
        const fresh = new KillSwitches({ db, coord: new MemoryCoordination(), audit: sink });
        await fresh.start();
        assert.equal(fresh.list().length, 0, 'lifted kills stay lifted after a restart');
      } finally {
        await a.stop();
        await b.stop();
        await cleanup();
      }
    });
  });
}

describe('kill switch signals and input', () => {
  it('aborts in-flight work on another replica with the refusal as reason', async () => {
    const { db, cleanup } = await testDatabases[0].open(rolloutMigrations);
    const coord = new MemoryCoordination();
    const a = new KillSwitches({ db, coord, audit: { append: async () => ({ index: 0 }) } });
    const b = new KillSwitches({ db, coord, audit: { append: async () => ({ index: 0 }) } });
    try {
      await a.start();
      await b.start();
      const streamOfBot = b.signalFor({ app: 'bot', user: 'ann', model: 'gpt' });
      const streamOfOther = b.signalFor({ app: 'other', user: 'ann' });
      assert.equal(streamOfBot.aborted, false);
      await a.kill({ scope: 'app', target: 'bot', reason: 'cut it', actor: 'sec' });
      assert.equal(streamOfBot.aborted, true);
      assert.ok(streamOfBot.reason instanceof PolicyDeniedError);
      assert.match((streamOfBot.reason as Error).message, /cut it/);
      assert.equal(streamOfOther.aborted, false);
      assert.equal(b.signalFor({ app: 'bot' }).aborted, true, 'new work in a killed scope starts aborted');
    } finally {
      await cleanup();
    }
  });

  it('rejects unknown scopes and malformed app_version targets', async () => {
    assert.throws(() => parseScope('tenant'), InvalidInputError);
    assert.equal(parseScope('app-version'), 'app_version');
    const { db, cleanup } = await testDatabases[0].open(rolloutMigrations);
    try {
      const k = new KillSwitches({
        db,
        coord: new MemoryCoordination(),
        audit: { append: async () => ({ index: 0 }) },
      });
      await assert.rejects(k.kill({ scope: 'app_version', target: 'bot', reason: 'x', actor: 'a' }), InvalidInputError);
      assert.equal(k.list().length, 0);
    } finally {
      await cleanup();
    }
  });
});

describe('kill switches over Redis pub/sub', await suiteNeeds(REDIS), () => {
  it('reaches a replica on another Redis connection without polling, and ignores forged garbage on the channel', async () => {
    const { RedisCoordination } = await import('../coord/redis-coordination.js');
    const { randomBytes } = await import('node:crypto');
    const prefix = `test:${randomBytes(4).toString('hex')}:`;
    const url = TEST_REDIS_URL;
    const ca = new RedisCoordination({ url, prefix });
    const cb = new RedisCoordination({ url, prefix });
    const { db, cleanup } = await testDatabases[0].open(rolloutMigrations);
    const sink = { append: async () => ({ index: 0 }) };
    let arrived: (() => void) | undefined;
    const a = new KillSwitches({ db, coord: ca, audit: sink });
    const b = new KillSwitches({ db, coord: cb, audit: sink, onChange: () => arrived?.() });
    try {
      await a.start();
      await b.start();
      await ca.publish('gatehouse.rollout.kills', '{not json');
      await ca.publish(
        'gatehouse.rollout.kills',
        JSON.stringify({ op: 'lift', id: 'kil_forged', scope: 'app', target: 'bot' }),
      );
      const got = new Promise<void>((r) => (arrived = r));
      await a.kill({ scope: 'app', target: 'bot', reason: 'over redis', actor: 'sec' });
      await got;
      assert.match(b.check(req())?.reason ?? '', /over redis/);
      await ca.publish(
        'gatehouse.rollout.kills',
        JSON.stringify({ op: 'lift', id: 'kil_forged', scope: 'app', target: 'bot' }),
      );
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(b.check(req()), 'a lift naming another kill id does not lift this one');
    } finally {
      await a.stop();
      await b.stop();
      await ca.close();
      await cb.close();
      await cleanup();
    }
  });
});
