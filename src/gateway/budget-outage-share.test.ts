// coordination.outage.budgetShare against a real Redis this test starts on its own loopback port and stops: three
// replicas (Budgets on their own connections) spend a budget, Redis stops, each may spend 1/3 of what was left (and
// no more), a budget no replica had seen stays closed, a day that begins during the outage is shared from zero, and
// when Redis returns the outage spend lands in the shared counter so the budget holds across replicas.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { LimitExceededError, UnavailableError } from '../core/errors.js';
import { RedisCoordination } from '../coord/redis-coordination.js';
import { tempDir } from '../testing/databases.js';
import { REDIS_SERVER_BINARY, startRedisInstance, type RedisInstance } from '../testing/redis-instance.js';
import { suiteNeeds } from '../testing/requires.js';
import { BudgetOutageShare } from './budget-outage-share.js';
import { Budgets, type BudgetLimits } from './budgets.js';

const K = 1_000; // nano-USD units, small numbers keep the arithmetic readable
const limits: BudgetLimits = { appDailyNanos: 90 * K };
const scope = { app: 'share-bot', user: 'alice' };

describe(
  'budgets during a Redis outage (coordination.outage.budgetShare)',
  await suiteNeeds(REDIS_SERVER_BINARY),
  () => {
    let redis: RedisInstance;
    let home: string;
    const coords: RedisCoordination[] = [];
    const clock = new ManualClock(Date.parse('2026-03-10T12:00:00Z'));
    let replicas: Budgets[];
    let closedOnly: Budgets;
    const coord = (url: string) => {
      const c = new RedisCoordination({ url, prefix: `share-test-${process.pid}:` });
      coords.push(c);
      return c;
    };
    before(async () => {
      home = tempDir('gh-share-redis-');
      redis = await startRedisInstance({ persistDir: home });
      replicas = [0, 1, 2].map(() => {
        const c = coord(redis.url);
        return new Budgets(c, clock, new BudgetOutageShare(c, clock, { replicas: 3 }));
      });
      closedOnly = new Budgets(coord(redis.url), clock);
    });
    after(async () => {
      await Promise.all(coords.map((c) => c.close()));
      await redis?.close();
      rmSync(home, { recursive: true, force: true });
    });

    const spend = async (b: Budgets, amount: number, s = scope, l = limits) =>
      (await b.reserve(s, l, amount, 0)).settle(amount, 0);
    const refused = async (b: Budgets, amount: number, s = scope, l = limits) => {
      const err = await b.reserve(s, l, amount, 0).then(
        () => undefined,
        (e: unknown) => e,
      );
      return err;
    };

    it('spends a local 1/N share of what was left, fails closed where it cannot know, and reconciles after', async () => {
      const [a, b, c] = replicas;
      // 60 of 90 spent across the replicas; a zero-cost call lets each see the shared total.
      for (const r of [a, b, c, a, b, c]) await spend(r, 10 * K);
      for (const r of replicas) await spend(r, 0);

      await redis.stop();
      // Without the option: fail closed, naming Redis.
      const closed = await refused(closedOnly, 1);
      assert.ok(closed instanceof UnavailableError, String(closed));
      assert.match((closed as Error).message, /Redis/);

      // With it: each replica may spend (90 - 60) / 3 = 10 locally.
      for (const r of replicas) {
        await spend(r, 6 * K);
        const over = await refused(r, 5 * K);
        assert.ok(over instanceof LimitExceededError, `6 + 5 passes a share of 10: ${String(over)}`);
        await spend(r, 4 * K);
        assert.ok((await refused(r, 1)) instanceof LimitExceededError, 'the share is used up');
      }
      // A settle below the reservation gives the difference back to the local share.
      // (b reserves 0 more here: its share is exactly used; nothing further is allowed.)

      // A budget this replica never saw (another user's daily budget) has an unknown remaining: it stays closed.
      const userLimits: BudgetLimits = { userDailyNanos: 50 * K };
      const unknown = await refused(a, 1, { app: 'share-bot', user: 'bob' }, userLimits);
      assert.ok(unknown instanceof UnavailableError, `an unseen budget fails closed: ${String(unknown)}`);

      // A day that begins during the outage is known to start at zero: 90 / 3 = 30 per replica.
      clock.advance(12 * 3_600_000);
      await spend(a, 30 * K);
      assert.ok((await refused(a, 1)) instanceof LimitExceededError, 'the new day share is 30');
      // A reservation settled below what it held frees the rest of the share.
      const r = await b.reserve(scope, limits, 20 * K, 0);
      await r.settle(5 * K, 0);
      await spend(b, 25 * K);
      assert.ok((await refused(b, 1)) instanceof LimitExceededError);

      await redis.start();
      // Each connection comes back on its own reconnect schedule.
      for (const c of coords)
        for (let i = 0; ; i++) {
          if (
            await c.get('probe').then(
              () => true,
              () => false,
            )
          )
            break;
          assert.ok(i < 150, 'Redis connections come back within 15 s');
          await new Promise((r) => setTimeout(r, 100));
        }
      // The next call on each replica adds its outage spend to Redis before it reserves.
      for (const x of replicas) await spend(x, 0);
      const day1 = await coords[0].get('gw:cost:app:share-bot:2026-03-10');
      const day2 = await coords[0].get('gw:cost:app:share-bot:2026-03-11');
      assert.equal(day1, 90 * K, 'yesterday: 60 before the outage + 3 x 10 during it');
      assert.equal(day2, 60 * K, 'today: 30 on A + 30 on B during the outage');
      // Shared enforcement is back: C (which spent nothing today) sees 60 of 90 and may add 30 but not 31.
      assert.ok((await refused(c, 31 * K)) instanceof LimitExceededError);
      await spend(c, 30 * K);
      assert.equal(await coords[0].get('gw:cost:app:share-bot:2026-03-11'), 90 * K);
    });
  },
);
