// Budgets and rate limits on the Coordination contract: reserve the worst case before a call, settle after,
// so concurrent calls can never spend more than a budget (each reserve is an atomic check-and-add).
import type { Clock } from '../core/clock.js';
import { LimitExceededError } from '../core/errors.js';
import type { Coordination, ReserveResult } from '../coord/coordination.js';
import { BudgetOutageShare } from './budget-outage-share.js';
import { nanosToUsd } from './tokens.js';

export interface BudgetLimits {
  /** Daily cost per app, per user of the app, per session, in nano-USD. */
  appDailyNanos?: number;
  userDailyNanos?: number;
  sessionNanos?: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** A gateway key's own limits (scope.key): daily and monthly (UTC calendar month) cost, requests and tokens. */
  keyDailyNanos?: number;
  keyMonthlyNanos?: number;
  keyRequestsPerMinute?: number;
  keyTokensPerMinute?: number;
}

export interface BudgetScope {
  app: string;
  user: string;
  session?: string;
  /** The gateway key the call came with (its id), for the key's own limits. */
  key?: string;
}

interface Held {
  key: string;
  amount: number;
  ttl: number;
  kind: 'cost' | 'tokens' | 'requests';
  name: string;
  /** Held in the local outage share rather than in Redis. */
  local?: boolean;
}

export interface Reservation {
  /**
   * Replaces the worst case with what the call really used (or releases everything with 0, 0). Returns the app's
   * cost today after settling (nano-USD, spent or reserved, across replicas) when an app daily budget was held.
   */
  settle(costNanos: number, tokens: number): Promise<number | undefined>;
}

const DAY = 86_400_000;
const dayOf = (now: number) => new Date(now).toISOString().slice(0, 10);
const appCostKey = (app: string, day: string) => `gw:cost:app:${app}:${day}`;
/** Counter names of a key's daily and monthly spend (shared with restore). */
export const keyDayKey = (id: string, day: string) => `gw:cost:key:${id}:${day}`;
export const keyMonthKey = (id: string, month: string) => `gw:cost:keym:${id}:${month}`;
/** Milliseconds from `now` to the start of the next UTC month. */
export function toMonthEnd(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - now;
}
const fmt = (n: number) => `$${nanosToUsd(n).toFixed(6).replace(/0+$/, '').replace(/\.$/, '')}`;

export class Budgets {
  /**
   * @param outageShare with it, a coordination outage lets each replica spend a local share of what is left
   *   (coordination.outage.budgetShare); without it, budgeted calls fail closed while the store is away.
   */
  constructor(
    private readonly coord: Coordination,
    private readonly clock: Clock,
    private readonly outageShare?: BudgetOutageShare,
  ) {}

  /** Reserves everything or nothing; throws LimitExceededError naming the budget and when to retry. */
  async reserve(scope: BudgetScope, limits: BudgetLimits, costNanos: number, tokens: number): Promise<Reservation> {
    const now = this.clock.now();
    const day = dayOf(now);
    const minute = Math.floor(now / 60_000);
    const toMidnight = DAY - (now % DAY);
    const toMinute = 60_000 - (now % 60_000);
    const steps: Array<
      Held & { limit: number; name: string; retryMs: number; windowStart?: number; say: (cur: number) => string }
    > = [];
    const minuteStart = minute * 60_000;
    const dayStart = now - (now % DAY);
    const s = scope;
    if (limits.requestsPerMinute !== undefined)
      steps.push({
        kind: 'requests',
        key: `gw:rpm:${s.app}:${minute}`,
        amount: 1,
        ttl: 120_000,
        limit: limits.requestsPerMinute,
        name: 'requests_per_minute',
        retryMs: toMinute,
        windowStart: minuteStart,
        say: () => `App '${s.app}' reached its limit of ${limits.requestsPerMinute} requests per minute`,
      });
    if (limits.tokensPerMinute !== undefined)
      steps.push({
        kind: 'tokens',
        key: `gw:tpm:${s.app}:${minute}`,
        amount: tokens,
        ttl: 120_000,
        limit: limits.tokensPerMinute,
        name: 'tokens_per_minute',
        retryMs: toMinute,
        windowStart: minuteStart,
        say: (c) =>
          `App '${s.app}' would pass its limit of ${limits.tokensPerMinute} tokens per minute (${c} used, this call may use ${tokens}; lower max_tokens or wait)`,
      });
    if (limits.appDailyNanos !== undefined)
      steps.push({
        kind: 'cost',
        key: appCostKey(s.app, day),
        amount: costNanos,
        ttl: toMidnight + 3_600_000,
        limit: limits.appDailyNanos,
        name: 'app_daily_cost',
        retryMs: toMidnight,
        windowStart: dayStart,
        say: (c) =>
          `App '${s.app}' daily budget of ${fmt(limits.appDailyNanos!)} is exhausted (${fmt(c)} spent or reserved, this call may cost up to ${fmt(costNanos)})`,
      });
    if (limits.userDailyNanos !== undefined)
      steps.push({
        kind: 'cost',
        key: `gw:cost:user:${s.app}:${s.user}:${day}`,
        amount: costNanos,
        ttl: toMidnight + 3_600_000,
        limit: limits.userDailyNanos,
        name: 'user_daily_cost',
        retryMs: toMidnight,
        windowStart: dayStart,
        say: (c) =>
          `User '${s.user}' daily budget of ${fmt(limits.userDailyNanos!)} in app '${s.app}' is exhausted (${fmt(c)} spent or reserved, this call may cost up to ${fmt(costNanos)})`,
      });
    if (limits.sessionNanos !== undefined && s.session)
      steps.push({
        kind: 'cost',
        key: `gw:cost:session:${s.session}`,
        amount: costNanos,
        ttl: DAY,
        limit: limits.sessionNanos,
        name: 'session_cost',
        retryMs: toMidnight,
        say: (c) =>
          `Session '${s.session}' budget of ${fmt(limits.sessionNanos!)} is exhausted (${fmt(c)} spent or reserved, this call may cost up to ${fmt(costNanos)}); start a new session tomorrow or ask for a higher limit`,
      });

    if (s.key) steps.push(...keySteps(s.key, limits, costNanos, tokens, { now, day, minute, toMidnight, toMinute }));

    const held: Held[] = [];
    for (const st of steps) {
      let r: ReserveResult & { local?: boolean };
      try {
        r = await this.reserveOne(st.key, st.amount, st.limit, st.ttl, st.windowStart);
      } catch (err) {
        await this.release(held).catch(() => undefined);
        throw err;
      }
      if (!r.ok) {
        await this.release(held);
        const remaining = Math.max(0, st.limit - r.current);
        throw new LimitExceededError(
          `${st.say(r.current)}; retry after ${Math.ceil(st.retryMs / 1000)}s.`,
          st.retryMs / 1000,
          {
            budget: st.name,
            ...(st.kind === 'cost' ? { remainingUsd: nanosToUsd(remaining) } : { remaining }),
            resetAt: new Date(now + st.retryMs).toISOString(),
          },
        );
      }
      held.push({ ...st, local: r.local });
    }
    let settled = false;
    return {
      settle: async (realCost, realTokens) => {
        if (settled) return undefined;
        settled = true;
        const totals = await Promise.all(
          held.map((h) => {
            const real = h.kind === 'cost' ? realCost : h.kind === 'tokens' ? realTokens : h.amount;
            if (real !== h.amount) return this.addTo(h, real - h.amount);
            if (h.name !== 'app_daily_cost') return undefined;
            return h.local && this.outageShare?.active
              ? this.outageShare.adjust(h.key, 0, h.ttl)
              : this.coord.get(h.key);
          }),
        );
        const i = held.findIndex((h) => h.name === 'app_daily_cost');
        return i < 0 ? undefined : totals[i];
      },
    };
  }

  /**
   * Raises today's app cost counters to what the ledger recorded (never lowers one), so spend from before a restart,
   * or kept by a coordination store that lost its counters, still counts against the daily budget.
   */
  async restore(ledger: {
    spentOn(day: string): Promise<{ app: string; costNanos: number }[]>;
    keySpent?(day: string): Promise<{ key: string; dayNanos: number; monthNanos: number }[]>;
  }): Promise<void> {
    const now = this.clock.now();
    const day = dayOf(now);
    const ttl = DAY - (now % DAY) + 3_600_000;
    for (const { app, costNanos } of await ledger.spentOn(day)) await this.raise(appCostKey(app, day), costNanos, ttl);
    const monthTtl = toMonthEnd(now) + 3_600_000;
    for (const k of (await ledger.keySpent?.(day)) ?? []) {
      await this.raise(keyDayKey(k.key, day), k.dayNanos, ttl);
      await this.raise(keyMonthKey(k.key, day.slice(0, 7)), k.monthNanos, monthTtl);
    }
  }

  private async raise(key: string, to: number, ttl: number): Promise<void> {
    const current = await this.coord.get(key);
    if (current < to) await this.coord.add(key, to - current, ttl);
  }

  private async release(held: Held[]): Promise<void> {
    await Promise.all(held.map((h) => this.addTo(h, -h.amount)));
  }

  /** One counter's check-and-add: in Redis, or in the local outage share when Redis is away and a share is set. */
  private async reserveOne(
    key: string,
    amount: number,
    limit: number,
    ttl: number,
    windowStart: number | undefined,
  ): Promise<ReserveResult & { local?: boolean }> {
    const share = this.outageShare;
    if (!share) return this.coord.reserve(key, amount, limit, ttl);
    try {
      await share.recover();
      const r = await this.coord.reserve(key, amount, limit, ttl);
      share.observe(key, r.current, ttl);
      return r;
    } catch (err) {
      if (!BudgetOutageShare.isOutage(err)) throw err;
      return { ...share.reserve(key, amount, limit, ttl, windowStart, err), local: true };
    }
  }

  /** Settles or releases part of a hold: locally while the outage that holds it lasts, else in Redis. */
  private async addTo(h: Held, delta: number): Promise<number> {
    const share = this.outageShare;
    if (!share) return this.coord.add(h.key, delta, h.ttl);
    if (share.active) return share.adjust(h.key, delta, h.ttl);
    try {
      const v = await this.coord.add(h.key, delta, h.ttl);
      share.observe(h.key, v, h.ttl);
      return v;
    } catch (err) {
      if (!BudgetOutageShare.isOutage(err)) throw err;
      return share.adjust(h.key, delta, h.ttl);
    }
  }
}

type Step = Held & { limit: number; retryMs: number; say: (cur: number) => string };

/** The key's own counters, reserved together with the app's and user's (all or nothing). */
function keySteps(
  id: string,
  l: BudgetLimits,
  costNanos: number,
  tokens: number,
  t: { now: number; day: string; minute: number; toMidnight: number; toMinute: number },
): Step[] {
  const steps: Step[] = [];
  const spent = (c: number) => `(${fmt(c)} spent or reserved, this call may cost up to ${fmt(costNanos)})`;
  if (l.keyRequestsPerMinute !== undefined)
    steps.push({
      kind: 'requests',
      key: `gw:rpm:key:${id}:${t.minute}`,
      amount: 1,
      ttl: 120_000,
      limit: l.keyRequestsPerMinute,
      name: 'key_requests_per_minute',
      retryMs: t.toMinute,
      say: () => `Key ${id} reached its limit of ${l.keyRequestsPerMinute} requests per minute`,
    });
  if (l.keyTokensPerMinute !== undefined)
    steps.push({
      kind: 'tokens',
      key: `gw:tpm:key:${id}:${t.minute}`,
      amount: tokens,
      ttl: 120_000,
      limit: l.keyTokensPerMinute,
      name: 'key_tokens_per_minute',
      retryMs: t.toMinute,
      say: (c) =>
        `Key ${id} would pass its limit of ${l.keyTokensPerMinute} tokens per minute (${c} used, this call may use ${tokens}; lower max_tokens or wait)`,
    });
  if (l.keyDailyNanos !== undefined)
    steps.push({
      kind: 'cost',
      key: keyDayKey(id, t.day),
      amount: costNanos,
      ttl: t.toMidnight + 3_600_000,
      limit: l.keyDailyNanos,
      name: 'key_daily_cost',
      retryMs: t.toMidnight,
      say: (c) => `Key ${id} daily budget of ${fmt(l.keyDailyNanos!)} is exhausted ${spent(c)}`,
    });
  if (l.keyMonthlyNanos !== undefined) {
    const toMonth = toMonthEnd(t.now);
    steps.push({
      kind: 'cost',
      key: keyMonthKey(id, t.day.slice(0, 7)),
      amount: costNanos,
      ttl: toMonth + 3_600_000,
      limit: l.keyMonthlyNanos,
      name: 'key_monthly_cost',
      retryMs: toMonth,
      say: (c) => `Key ${id} monthly budget of ${fmt(l.keyMonthlyNanos!)} is exhausted ${spent(c)}`,
    });
  }
  return steps;
}
