// Hostile tests for signed broadcast: someone who can publish on the shared channel (but lacks the key) tries to
// inject, forge, tamper with, move between channels and replay messages; every attempt is dropped and counted.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ManualClock } from '../core/clock.js';
import { InvalidInputError } from '../core/errors.js';
import { HealthBoard } from '../core/health.js';
import { silentLogger } from '../core/logger.js';
import { createCoordination } from './create-coordination.js';
import { MemoryCoordination } from './memory-coordination.js';
import { RedisCoordination } from './redis-coordination.js';
import { MAX_MESSAGE_AGE_MS, SignedCoordination } from './signed-coordination.js';
import { REDIS, suiteNeeds, TEST_REDIS_URL } from '../testing/requires.js';

const KEY = 'k'.repeat(40);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A replica's signed view over a shared in-process bus, plus the raw bus an attacker can publish on. */
function setup(clock = new ManualClock()) {
  const bus = new MemoryCoordination(clock);
  const health = new HealthBoard();
  const replica = new SignedCoordination(bus, { key: KEY, clock, health });
  const got: string[] = [];
  const captured: string[] = [];
  return { bus, clock, health, replica, got, captured };
}

describe('signed coordination against an attacker on the channel', () => {
  it('delivers signed messages and drops an unsigned kill lift published raw', async () => {
    const t = setup();
    await t.replica.subscribe('kill', (m) => t.got.push(m));
    await t.replica.publish('kill', '{"op":"set","id":"k1"}');
    await t.bus.publish('kill', '{"op":"lift","id":"k1"}');
    await t.bus.publish('kill', 'not json at all');
    assert.deepEqual(t.got, ['{"op":"set","id":"k1"}']);
    assert.equal(t.replica.dropped.unsigned, 2);
    assert.equal(t.health.status().status, 'degraded');
    assert.match(t.health.status().problems[0].problem, /GATEHOUSE_COORD_KEY/);
  });

  it('drops a message signed with another key, and a tampered body under a real MAC', async () => {
    const t = setup();
    const other = new SignedCoordination(t.bus, { key: 'x'.repeat(40), clock: t.clock });
    await t.replica.subscribe('kill', (m) => t.got.push(m));
    await t.bus.subscribe('kill', (raw) => t.captured.push(raw));
    await other.publish('kill', '{"op":"lift","id":"k1"}');
    await t.replica.publish('kill', '{"op":"set","id":"k2"}');
    const real = JSON.parse(t.captured[1]) as { b: string; n: number };
    await t.bus.publish('kill', JSON.stringify({ ...real, b: '{"op":"lift","id":"k2"}', n: real.n + 1 }));
    assert.deepEqual(t.got, ['{"op":"set","id":"k2"}']);
    assert.equal(t.replica.dropped.forged, 2);
  });

  it('drops a captured message replayed on the same channel or moved to another channel', async () => {
    const t = setup();
    await t.replica.subscribe('kill', (m) => t.got.push(m));
    await t.replica.subscribe('caps', (m) => t.got.push(`caps:${m}`));
    await t.bus.subscribe('kill', (raw) => t.captured.push(raw));
    await t.replica.publish('kill', '{"op":"lift","id":"k3"}');
    await t.bus.publish('kill', t.captured[0]);
    await t.bus.publish('caps', t.captured[0]);
    assert.deepEqual(t.got, ['{"op":"lift","id":"k3"}']);
    assert.equal(t.replica.dropped.replayed, 1);
    assert.equal(t.replica.dropped.forged, 1);
  });

  it('drops a captured message replayed to a replica that never saw it once it is older than the window', async () => {
    const t = setup();
    await t.bus.subscribe('kill', (raw) => t.captured.push(raw));
    await t.replica.publish('kill', '{"op":"lift","id":"k4"}');
    const late = new SignedCoordination(t.bus, { key: KEY, clock: t.clock });
    await late.subscribe('kill', (m) => t.got.push(m));
    t.clock.advance(MAX_MESSAGE_AGE_MS + 1);
    await t.bus.publish('kill', t.captured[0]);
    assert.deepEqual(t.got, []);
    assert.equal(late.dropped.stale, 1);
  });

  it('refuses a short key, and Redis coordination without a key at all', () => {
    assert.throws(() => new SignedCoordination(new MemoryCoordination(), { key: 'short' }), /at least 32/);
    assert.throws(
      () =>
        createCoordination(
          { redisUrl: 'redis://127.0.0.1:6379' },
          { clock: new ManualClock(), logger: silentLogger, health: new HealthBoard() },
        ),
      (e: unknown) => e instanceof InvalidInputError && e.details[0]?.path === 'coordKey',
    );
  });
});

describe('signed coordination over real Redis', await suiteNeeds(REDIS), () => {
  const prefix = `ghtest:${randomBytes(6).toString('hex')}:`;
  const replica = new SignedCoordination(new RedisCoordination({ url: TEST_REDIS_URL, prefix }), { key: KEY });
  const attacker = new Redis(TEST_REDIS_URL);
  after(async () => {
    await replica.close();
    attacker.disconnect();
  });

  it('ignores a kill lift that an attacker publishes straight on the Redis channel', async () => {
    const got: string[] = [];
    await replica.subscribe('kill', (m) => got.push(m));
    await replica.publish('kill', 'signed');
    await attacker.publish(`${prefix}kill`, '{"op":"lift","id":"k1","scope":"app","target":"bot"}');
    await attacker.publish(`${prefix}kill`, JSON.stringify({ gh: 1, s: 'evil', n: 1, t: Date.now(), b: 'x', m: 'y' }));
    for (let i = 0; i < 100 && replica.dropped.unsigned + replica.dropped.forged < 2; i++) await sleep(10);
    assert.deepEqual(got, ['signed']);
    assert.equal(replica.dropped.unsigned, 1);
    assert.equal(replica.dropped.forged, 1);
  });
});
