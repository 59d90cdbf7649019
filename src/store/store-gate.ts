// Fails closed while the store is unreachable: a probe checks it every second, and while it is down govern()'s
// gate refuses every governed action (the gateway answers 503) rather than serving calls nothing records.
import type { GateCheck, GateRefusal, GovernanceRequest } from '../core/governance.js';
import type { HealthReporter } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { SqlDb } from './sql-db.js';

export interface StoreGateOptions {
  db: Pick<SqlDb, 'get' | 'dialect'>;
  /** Where the store is, in words for the refusal (e.g. postgres://db:5432/gatehouse). */
  description: string;
  health?: HealthReporter;
  logger?: Logger;
  /** Probe interval; 1 s by default. */
  everyMs?: number;
  /** A probe slower than this counts as down; 2 s by default. */
  timeoutMs?: number;
}

export class StoreGate implements GateCheck {
  private down: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(private readonly o: StoreGateOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.probe(), this.o.everyMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Why the store counts as down, or undefined while it answers. */
  get problem(): string | undefined {
    return this.down;
  }

  check(_req: GovernanceRequest): GateRefusal | null {
    if (!this.down) return null;
    return {
      code: 'store_unavailable',
      scope: 'store',
      reason: `the store (${this.o.description}) is unreachable: ${this.down}; governed actions are refused until it answers again`,
    };
  }

  /** One round trip to the store; marks it down or up. Exposed so tests and start-up need not wait a tick. */
  async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.o.db.get('SELECT 1 AS ok'),
        new Promise((_, reject) => {
          timeout = setTimeout(() => reject(new Error('no answer within the probe timeout')), this.o.timeoutMs ?? 2000);
        }),
      ]);
      if (this.down) this.o.logger?.info('store reachable again', { store: this.o.description });
      this.set(undefined);
    } catch (err) {
      const why = (err as Error).message || String(err);
      if (!this.down) this.o.logger?.error('store unreachable; refusing governed actions', { err: why });
      this.set(why);
    } finally {
      clearTimeout(timeout);
      this.probing = false;
    }
  }

  private set(problem: string | undefined): void {
    this.down = problem;
    this.o.health?.report(
      'store',
      problem
        ? `the store (${this.o.description}) is unreachable: ${problem}; governed actions are refused`
        : undefined,
    );
  }
}
