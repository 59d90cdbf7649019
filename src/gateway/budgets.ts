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
/** A duration as `4h 10m` / `12m` / `45s`. */
export function inWords(ms: number): string {
  const m = Math.ceil(ms / 60_000);
  if (ms < 60_000) return `${Math.ceil(ms / 1000)}s`;
  return m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}m`;
}
/** A reset time as an ISO minute, e.g. 2026-03-02T00:00Z. */
const isoMinute = (ms: number) => new Date(ms).toISOString().replace(/:00\.000Z$/, 'Z');
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
    const steps: Step[] = [];
    const minuteStart = minute * 60_000;
    const dayStart = now - (now % DAY);
    const s = scope;
    const midnight = isoMinute(now + toMidnight);
    const daily = `it resets at ${midnight} (in ${inWords(toMidnight)})`;
    const costSay = costSayer(costNanos);
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
        resetsAt: midnight,
        say: costSay(`App '${s.app}' daily`, limits.appDailyNanos, daily),
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
        resetsAt: midnight,
        say: costSay(`User '${s.user}' daily`, limits.userDailyNanos, daily, ` in app '${s.app}'`),
      });
    if (limits.sessionNanos !== undefined && s.session)
      steps.push({
        kind: 'cost',
        key: `gw:cost:session:${s.session}`,
        amount: costNanos,
        ttl: DAY,
        limit: limits.sessionNanos,
        name: 'session_cost',
        // A session's budget does not reset: no Retry-After (waiting would not help), start a new session.
        retryMs: undefined,
        resetsAt: null,
        say: costSay(
          `Session '${s.session}'`,
          limits.sessionNanos,
          'a session budget does not reset: start a new session or ask for a higher limit',
        ),
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
        const err = new LimitExceededError(
          `${st.say(r.current)}${st.kind === 'cost' || st.retryMs === undefined ? '' : `; retry after ${Math.ceil(st.retryMs / 1000)}s`}.`,
          (st.retryMs ?? 0) / 1000,
          {
            budget: st.name,
            // What is left and when it comes back, so the invoker can lower max_tokens to fit or say so.
            ...(st.kind === 'cost'
              ? { remainingNanos: remaining, remainingUsd: nanosToUsd(remaining), limitNanos: st.limit }
              : { remaining }),
            resetsAt: st.resetsAt !== undefined ? st.resetsAt : isoMinute(now + (st.retryMs ?? 0)),
          },
        );
        if (st.retryMs === undefined) delete err.extra.retryAfterSeconds;
        throw err;
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

type Step = Held & {
  limit: number;
  /** Until the window resets; undefined when it never does (a session). */
  retryMs: number | undefined;
  /** When the budget resets (ISO minute), null when it never does; default now + retryMs. */
  resetsAt?: string | null;
  windowStart?: number;
  say: (cur: number) => string;
};

/** Spent (nothing left for this call's prompt) or merely too small for this call's worst case: said apart. */
const costSayer =
  (costNanos: number) =>
  (who: string, limit: number, resets: string, where = '') =>
  (c: number) =>
    limit - c <= 0
      ? `${who} budget of ${fmt(limit)}${where} is spent (${fmt(c)} spent or reserved); ${resets}`
      : `${who} budget of ${fmt(limit)}${where} has ${fmt(Math.max(0, limit - c))} left (${fmt(c)} spent or reserved), less than this call's worst case of ${fmt(costNanos)}; ${resets}`;

/** The key's own counters, reserved together with the app's and user's (all or nothing). */
function keySteps(
  id: string,
  l: BudgetLimits,
  costNanos: number,
  tokens: number,
  t: { now: number; day: string; minute: number; toMidnight: number; toMinute: number },
): Step[] {
  const steps: Step[] = [];
  const costSay = costSayer(costNanos);
  const midnight = isoMinute(t.now + t.toMidnight);
  if (l.keyRequestsPerMinute !== undefined)
    steps.push({
      kind: 'requests',
      key: `gw:rpm:key:${id}:${t.minute}`,
      amount: 1,
      ttl: 120_000,
      limit: l.keyRequestsPerMinute,
      name: 'key_requests_per_minute',
      retryMs: t.toMinute,
      windowStart: t.minute * 60_000,
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
      windowStart: t.minute * 60_000,
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
      windowStart: t.now - (t.now % DAY),
      resetsAt: midnight,
      say: costSay(`Key ${id} daily`, l.keyDailyNanos, `it resets at ${midnight} (in ${inWords(t.toMidnight)})`),
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
      windowStart: Date.UTC(new Date(t.now).getUTCFullYear(), new Date(t.now).getUTCMonth(), 1),
      resetsAt: isoMinute(t.now + toMonth),
      say: costSay(
        `Key ${id} monthly`,
        l.keyMonthlyNanos,
        `it resets at ${isoMinute(t.now + toMonth)} (in ${inWords(toMonth)})`,
      ),
    });
  }
  return steps;
}
