// coordination.outage.budgetShare: while Redis is unreachable, each replica may spend a 1/N share of what a budget
// had left when this replica last heard from Redis (all of a window that began during the outage), counted locally;
// when Redis answers again the local spend is added to the shared counters. Without it budgets fail closed (503).
import type { Clock } from '../core/clock.js';
import type { Coordination, ReserveResult } from '../coord/coordination.js';
import { UnavailableError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

export interface BudgetShareSettings {
  /** N: how many replicas may each take a 1/N share during an outage (the number you run, or more). */
  replicas: number;
}

interface Seen {
  value: number;
  expiresAt: number;
}

const MAX_SEEN = 20_000;

export class BudgetOutageShare {
  /** The last value Redis returned for each counter this replica touched. */
  private readonly seen = new Map<string, Seen>();
  /** Spend (reserved or settled) counted here during the outage, not yet in Redis. */
  private readonly local = new Map<string, { spent: number; ttl: number }>();
  private outageSince: number | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly coord: Coordination,
    private readonly clock: Clock,
    private readonly settings: BudgetShareSettings,
    private readonly logger?: Logger,
  ) {}

  get active(): boolean {
    return this.outageSince !== undefined;
  }

  static isOutage(err: unknown): err is UnavailableError {
    return err instanceof UnavailableError;
  }

  /** Records what Redis said a counter holds (after a successful reserve or add). */
  observe(key: string, value: number, ttlMs: number): void {
    const now = this.clock.now();
    this.seen.set(key, { value, expiresAt: now + ttlMs });
    if (this.seen.size > MAX_SEEN) for (const [k, s] of this.seen) if (s.expiresAt <= now) this.seen.delete(k);
  }

  private begin(): void {
    if (this.outageSince !== undefined) return;
    this.outageSince = this.clock.now();
    this.logger?.warn('coordination store unreachable: budgets use the local outage share', {
      replicas: this.settings.replicas,
    });
  }

  /**
   * A reserve while Redis is away: allowed when this replica's local spend stays within its share. A counter whose
   * remaining this replica cannot know (never seen, and its window began before the outage) fails closed with `err`.
   */
  reserve(
    key: string,
    amount: number,
    limit: number,
    ttlMs: number,
    windowStart: number | undefined,
    err: UnavailableError,
  ): ReserveResult {
    this.begin();
    const seen = this.seen.get(key);
    const fresh = windowStart !== undefined && windowStart >= this.outageSince!;
    const known = seen && seen.expiresAt > this.clock.now() ? seen.value : fresh ? 0 : undefined;
    if (known === undefined) throw err;
    const share = Math.max(0, limit - known) / this.settings.replicas;
    const entry = this.local.get(key) ?? { spent: 0, ttl: ttlMs };
    if (entry.spent + amount > share) return { ok: false, current: known + entry.spent };
    entry.spent += amount;
    this.local.set(key, entry);
    return { ok: true, current: known + entry.spent };
  }

  /** Counts a change to a counter locally (a settle or release that could not reach Redis, or of a local hold). */
  adjust(key: string, delta: number, ttlMs: number): number {
    this.begin();
    const entry = this.local.get(key) ?? { spent: 0, ttl: ttlMs };
    entry.spent += delta;
    this.local.set(key, entry);
    const seen = this.seen.get(key)?.value ?? 0;
    return seen + entry.spent;
  }

  /** Adds the outage's local spend to the shared counters; throws UnavailableError while Redis is still away. */
  async recover(): Promise<void> {
    if (!this.active) return;
    this.flushing ??= (async () => {
      try {
        // Settles that land while this runs add entries: loop until none is left.
        for (let next = this.local.entries().next(); !next.done; next = this.local.entries().next()) {
          const [key, e] = next.value;
          this.local.delete(key);
          try {
            if (e.spent !== 0) this.observe(key, await this.coord.add(key, e.spent, e.ttl), e.ttl);
          } catch (err) {
            const back = this.local.get(key);
            this.local.set(key, { spent: e.spent + (back?.spent ?? 0), ttl: e.ttl });
            throw err;
          }
        }
        this.logger?.info('coordination store back: outage spend added to the shared budgets', {});
        this.outageSince = undefined;
      } finally {
        this.flushing = undefined;
      }
    })();
    await this.flushing;
  }
}
