// Budgets and rate limits on the Coordination contract: reserve the worst case before a call, settle after,
// so concurrent calls can never spend more than a budget (each reserve is an atomic check-and-add).
import type { Clock } from '../core/clock.js';
import { LimitExceededError } from '../core/errors.js';
import type { Coordination } from '../coord/coordination.js';
import { nanosToUsd } from './tokens.js';

export interface BudgetLimits {
  /** Daily cost per app, per user of the app, per session, in nano-USD. */
  appDailyNanos?: number;
  userDailyNanos?: number;
  sessionNanos?: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export interface BudgetScope {
  app: string;
  user: string;
  session?: string;
}

interface Held {
  key: string;
  amount: number;
  ttl: number;
  kind: 'cost' | 'tokens' | 'requests';
  name: string;
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
/** A duration as `4h 10m` / `12m` / `45s`. */
export function inWords(ms: number): string {
  const m = Math.ceil(ms / 60_000);
  if (ms < 60_000) return `${Math.ceil(ms / 1000)}s`;
  return m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}m`;
}
const fmt = (n: number) => `$${nanosToUsd(n).toFixed(6).replace(/0+$/, '').replace(/\.$/, '')}`;

export class Budgets {
  constructor(
    private readonly coord: Coordination,
    private readonly clock: Clock,
  ) {}

  /** Reserves everything or nothing; throws LimitExceededError naming the budget and when to retry. */
  async reserve(scope: BudgetScope, limits: BudgetLimits, costNanos: number, tokens: number): Promise<Reservation> {
    const now = this.clock.now();
    const day = dayOf(now);
    const minute = Math.floor(now / 60_000);
    const toMidnight = DAY - (now % DAY);
    const toMinute = 60_000 - (now % 60_000);
    const steps: Array<
      Held & {
        limit: number;
        name: string;
        retryMs: number | undefined;
        resetsAt?: string | null;
        say: (cur: number) => string;
      }
    > = [];
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
        say: (c) =>
          `App '${s.app}' would pass its limit of ${limits.tokensPerMinute} tokens per minute (${c} used, this call may use ${tokens}; lower max_tokens or wait)`,
      });
    const midnight = new Date(now + toMidnight).toISOString().replace(/:00\.000Z$/, 'Z');
    const daily = `it resets at ${midnight} (in ${inWords(toMidnight)})`;
    /** Spent (nothing left for this call's prompt) or merely too small for this call's worst case: said apart. */
    const costSay =
      (who: string, limit: number, resets: string, where = '') =>
      (c: number) =>
        limit - c <= 0
          ? `${who} budget of ${fmt(limit)}${where} is spent (${fmt(c)} spent or reserved); ${resets}`
          : `${who} budget of ${fmt(limit)}${where} has ${fmt(Math.max(0, limit - c))} left (${fmt(c)} spent or reserved), less than this call's worst case of ${fmt(costNanos)}; ${resets}`;
    if (limits.appDailyNanos !== undefined)
      steps.push({
        kind: 'cost',
        key: appCostKey(s.app, day),
        amount: costNanos,
        ttl: toMidnight + 3_600_000,
        limit: limits.appDailyNanos,
        name: 'app_daily_cost',
        retryMs: toMidnight,
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

    const held: Held[] = [];
    for (const st of steps) {
      const r = await this.coord.reserve(st.key, st.amount, st.limit, st.ttl);
      if (!r.ok) {
        await this.release(held);
        const err = new LimitExceededError(
          `${st.say(r.current)}${st.kind === 'cost' || st.retryMs === undefined ? '' : `; retry after ${Math.ceil(st.retryMs / 1000)}s`}.`,
          (st.retryMs ?? 0) / 1000,
          {
            budget: st.name,
            // What is left and when it comes back, so the invoker can lower max_tokens to fit or say so.
            ...(st.kind === 'cost'
              ? { remainingNanos: Math.max(0, st.limit - r.current), limitNanos: st.limit, resetsAt: st.resetsAt }
              : {}),
          },
        );
        if (st.retryMs === undefined) delete err.extra.retryAfterSeconds;
        throw err;
      }
      held.push(st);
    }
    let settled = false;
    return {
      settle: async (realCost, realTokens) => {
        if (settled) return undefined;
        settled = true;
        const totals = await Promise.all(
          held.map((h) => {
            const real = h.kind === 'cost' ? realCost : h.kind === 'tokens' ? realTokens : h.amount;
            if (real !== h.amount) return this.coord.add(h.key, real - h.amount, h.ttl);
            return h.name === 'app_daily_cost' ? this.coord.get(h.key) : undefined;
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
  async restore(ledger: { spentOn(day: string): Promise<{ app: string; costNanos: number }[]> }): Promise<void> {
    const now = this.clock.now();
    const day = dayOf(now);
    const ttl = DAY - (now % DAY) + 3_600_000;
    for (const { app, costNanos } of await ledger.spentOn(day)) {
      const key = appCostKey(app, day);
      const current = await this.coord.get(key);
      if (current < costNanos) await this.coord.add(key, costNanos - current, ttl);
    }
  }

  private async release(held: Held[]): Promise<void> {
    await Promise.all(held.map((h) => this.coord.add(h.key, -h.amount, h.ttl)));
  }
}
