// Budgets and rate limits on the coordination contract, with a manual clock: windows, all-or-nothing, settling.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { LimitExceededError } from '../core/errors.js';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { Budgets } from './budgets.js';

const scope = { app: 'a', user: 'u', session: 's1' };

describe('Budgets', () => {
  it('counts requests per minute and opens again in the next minute, with Retry-After to the minute boundary', async () => {
    const clock = new ManualClock(Date.parse('2026-03-01T10:00:45Z'));
    const b = new Budgets(new MemoryCoordination(clock), clock);
    await b.reserve(scope, { requestsPerMinute: 2 }, 0, 0);
    await b.reserve(scope, { requestsPerMinute: 2 }, 0, 0);
    await assert.rejects(b.reserve(scope, { requestsPerMinute: 2 }, 0, 0), (e: LimitExceededError) => {
      assert.equal(e.status, 429);
      assert.equal(e.extra.budget, 'requests_per_minute');
      assert.equal(e.extra.retryAfterSeconds, 15);
      return true;
    });
    clock.advance(15_000);
    await b.reserve(scope, { requestsPerMinute: 2 }, 0, 0);
  });

  it('reserves all budgets or none: a refusal on a later budget releases the earlier ones', async () => {
    const clock = new ManualClock();
    const coord = new MemoryCoordination(clock);
    const b = new Budgets(coord, clock);
    await b.reserve(scope, { userDailyNanos: 100 }, 90, 0);
    await assert.rejects(
      b.reserve(scope, { appDailyNanos: 1000, userDailyNanos: 100 }, 50, 0),
      (e: LimitExceededError) => e.extra.budget === 'user_daily_cost' && /User 'u' daily budget/.test(e.message),
    );
    // The app budget must not keep the 50 reserved by the refused call.
    await b.reserve(scope, { appDailyNanos: 1000 }, 1000, 0);
  });

  it('settling replaces the worst case with the real cost, freeing the difference', async () => {
    const clock = new ManualClock();
    const coord = new MemoryCoordination(clock);
    const b = new Budgets(coord, clock);
    const r = await b.reserve(scope, { appDailyNanos: 1000, tokensPerMinute: 500 }, 800, 400);
    await assert.rejects(b.reserve(scope, { appDailyNanos: 1000 }, 300, 0), LimitExceededError);
    await r.settle(100, 50);
    await r.settle(0, 0); // a second settle is ignored
    await b.reserve(scope, { appDailyNanos: 1000, tokensPerMinute: 500 }, 900, 450);
  });

  it('daily budgets reset at midnight UTC and per-session budgets follow the session', async () => {
    const clock = new ManualClock(Date.parse('2026-03-01T23:59:00Z'));
    const b = new Budgets(new MemoryCoordination(clock), clock);
    await b.reserve(scope, { appDailyNanos: 100, sessionNanos: 150 }, 100, 0);
    await assert.rejects(
      b.reserve(scope, { appDailyNanos: 100 }, 1, 0),
      (e: LimitExceededError) => e.extra.retryAfterSeconds === 60,
    );
    clock.advance(61_000);
    await b.reserve(scope, { appDailyNanos: 100 }, 40, 0);
    await assert.rejects(
      b.reserve(scope, { sessionNanos: 150 }, 60, 0),
      (e: LimitExceededError) => e.extra.budget === 'session_cost',
    );
    await b.reserve({ ...scope, session: 's2' }, { sessionNanos: 150 }, 60, 0);
  });
  it('says a spent budget is spent and when it resets; a too-small remainder says what is left (not "exhausted")', async () => {
    const clock = new ManualClock(Date.parse('2026-03-01T19:49:30Z'));
    const b = new Budgets(new MemoryCoordination(clock), clock);
    await assert.rejects(b.reserve(scope, { appDailyNanos: 1000 }, 4000, 0), (e: LimitExceededError) => {
      assert.match(e.message, /App 'a' daily budget of \$0\.000001 has \$0\.000001 left \(\$0 spent or reserved\)/);
      assert.match(e.message, /resets at 2026-03-02T00:00Z \(in 4h 11m\)/);
      assert.equal(e.extra.remainingNanos, 1000);
      assert.equal(e.extra.resetsAt, '2026-03-02T00:00Z');
      assert.equal(e.extra.retryAfterSeconds, 15_030);
      return true;
    });
    await b.reserve(scope, { appDailyNanos: 1000 }, 1000, 0);
    await assert.rejects(
      b.reserve(scope, { appDailyNanos: 1000 }, 1, 0),
      (e: LimitExceededError) =>
        /is spent \(\$0\.000001 spent or reserved\)/.test(e.message) && e.extra.remainingNanos === 0,
    );
  });
});
