// One contract suite for both Coordination implementations: in-process and Redis (the local server).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Coordination } from './coordination.js';
import { MemoryCoordination } from './memory-coordination.js';
import { RedisCoordination } from './redis-coordination.js';
import { SignedCoordination } from './signed-coordination.js';
import { REDIS, suiteNeeds, TEST_REDIS_URL } from '../testing/requires.js';

const REDIS_URL = TEST_REDIS_URL;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Impl {
  name: string;
  /** describe() options: skipped loudly outside CI when the server is missing. */
  needs?: { skip?: string };
  /** Two handles on the same shared state (two replicas for Redis, the same object in-process). */
  open(): { a: Coordination; b: Coordination; close(): Promise<void> };
}

const impls: Impl[] = [
  {
    name: 'memory',
    open() {
      const a = new MemoryCoordination();
      return { a, b: a, close: () => a.close() };
    },
  },
  {
    name: 'redis',
    needs: await suiteNeeds(REDIS),
    open() {
      const prefix = `ghtest:${randomBytes(6).toString('hex')}:`;
      const a = new RedisCoordination({ url: REDIS_URL, prefix });
      const b = new RedisCoordination({ url: REDIS_URL, prefix });
      return {
        a,
        b,
        close: async () => {
          await a.close();
          await b.close();
        },
      };
    },
  },
  {
    name: 'signed over redis (two replicas, one key)',
    needs: await suiteNeeds(REDIS),
    open() {
      const prefix = `ghtest:${randomBytes(6).toString('hex')}:`;
      const key = randomBytes(32).toString('hex');
      const a = new SignedCoordination(new RedisCoordination({ url: REDIS_URL, prefix }), { key });
      const b = new SignedCoordination(new RedisCoordination({ url: REDIS_URL, prefix }), { key });
      return {
        a,
        b,
        close: async () => {
          await a.close();
          await b.close();
        },
      };
    },
  },
];

for (const impl of impls) {
  describe(`Coordination contract: ${impl.name}`, impl.needs ?? {}, () => {
    let h: ReturnType<Impl['open']>;
    before(() => {
      h = impl.open();
    });
    after(async () => {
      await h.close();
    });

    it('reserve adds while the total stays within the limit and refuses past it', async () => {
      assert.deepEqual(await h.a.reserve('k1', 4, 10, 60_000), { ok: true, current: 4 });
      assert.deepEqual(await h.b.reserve('k1', 6, 10, 60_000), { ok: true, current: 10 });
      assert.deepEqual(await h.a.reserve('k1', 1, 10, 60_000), { ok: false, current: 10 });
      assert.equal(await h.b.get('k1'), 10);
    });

    it('add applies negative deltas (settling a reservation) and get reads 0 for unknown keys', async () => {
      await h.a.reserve('k2', 100, 1000, 60_000);
      assert.equal(await h.b.add('k2', -30, 60_000), 70);
      assert.equal(await h.a.get('k2'), 70);
      assert.equal(await h.a.get('never-set'), 0);
    });

    it('concurrent reservations from two handles never pass the limit', async () => {
      const calls = Array.from({ length: 60 }, (_, i) => (i % 2 ? h.a : h.b).reserve('k3', 1, 25, 60_000));
      const results = await Promise.all(calls);
      assert.equal(results.filter((r) => r.ok).length, 25);
      assert.equal(await h.a.get('k3'), 25);
    });

    it('keys expire after their ttl, counted from the first write', async () => {
      await h.a.reserve('k4', 5, 10, 150);
      await h.a.add('k4', 1, 60_000); // a later write must not extend the window
      assert.equal(await h.b.get('k4'), 6);
      await sleep(300);
      assert.equal(await h.b.get('k4'), 0);
      assert.equal((await h.a.reserve('k4', 10, 10, 60_000)).ok, true);
    });

    it('getMany reads several counters in order, 0 for unknown and expired keys', async () => {
      await h.a.add('m1', 3, 60_000);
      await h.b.add('m2', 0.5, 60_000);
      await h.a.add('m3', 1, 100);
      await sleep(250);
      assert.deepEqual(await h.b.getMany(['m2', 'nope', 'm1', 'm3']), [0.5, 0, 3, 0]);
      assert.deepEqual(await h.a.getMany([]), []);
    });

    it('fractional amounts add up', async () => {
      await h.a.add('k5', 0.25, 60_000);
      await h.b.add('k5', 0.5, 60_000);
      assert.equal(await h.a.get('k5'), 0.75);
    });

    it('broadcast reaches subscribers on every handle; unsubscribe stops delivery', async () => {
      const got: string[] = [];
      const un = await h.b.subscribe('kill', (m) => got.push(`b:${m}`));
      const un2 = await h.a.subscribe('kill', (m) => got.push(`a:${m}`));
      await h.a.publish('kill', 'app-x');
      for (let i = 0; i < 50 && got.length < 2; i++) await sleep(10);
      assert.deepEqual(got.sort(), ['a:app-x', 'b:app-x']);
      await un();
      await h.a.publish('kill', 'app-y');
      for (let i = 0; i < 50 && got.length < 3; i++) await sleep(10);
      await sleep(30);
      assert.deepEqual(got.sort(), ['a:app-x', 'a:app-y', 'b:app-x']);
      await un2();
    });
  });
}

describe('RedisCoordination when Redis is unreachable', () => {
  it('fails closed with an UnavailableError instead of allowing', async () => {
    const c = new RedisCoordination({
      url: 'redis://127.0.0.1:1',
      redisOptions: { maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false },
    });
    await assert.rejects(
      c.reserve('x', 1, 10, 1000),
      (e: Error) => e.name === 'UnavailableError' && /Redis/.test(e.message),
    );
    await c.close();
  });
});
