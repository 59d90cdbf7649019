// Signed broadcast over a shared coordination backend: every message carries an HMAC and a per-sender sequence
// number, so whoever can publish on Redis cannot broadcast kills, lifts or cache invalidations, nor replay old ones.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { HealthReporter } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { Coordination, ReserveResult } from './coordination.js';

/** How far a message's timestamp may be from this replica's clock; older messages are replays (or a stuck link). */
export const MAX_MESSAGE_AGE_MS = 30_000;
export const MIN_KEY_LENGTH = 32;

interface Envelope {
  gh: 1;
  /** Sender: a random id per process. */
  s: string;
  /** Sequence number, increasing per sender. */
  n: number;
  t: number;
  b: string;
  m: string;
}

export type DropReason = 'unsigned' | 'forged' | 'replayed' | 'stale';

export interface SignedCoordinationOptions {
  key: string;
  clock?: Clock;
  logger?: Logger;
  /** Told about dropped messages: a replica with another key, or someone publishing on the shared channel. */
  health?: HealthReporter;
}

export class SignedCoordination implements Coordination {
  readonly kind: Coordination['kind'];
  private readonly sender = randomBytes(8).toString('hex');
  private seq = 0;
  private readonly key: Buffer;
  private readonly clock: Clock;
  private readonly dropCounts: Record<DropReason, number> = { unsigned: 0, forged: 0, replayed: 0, stale: 0 };

  constructor(
    private readonly inner: Coordination,
    private readonly opts: SignedCoordinationOptions,
  ) {
    if (opts.key.length < MIN_KEY_LENGTH)
      throw new Error(`the coordination signing key must be at least ${MIN_KEY_LENGTH} characters`);
    this.kind = inner.kind;
    this.key = Buffer.from(opts.key, 'utf8');
    this.clock = opts.clock ?? systemClock;
  }

  /** Messages dropped so far, by reason (for /healthz and tests). */
  get dropped(): Readonly<Record<DropReason, number>> {
    return this.dropCounts;
  }

  reserve(key: string, amount: number, limit: number, ttlMs: number): Promise<ReserveResult> {
    return this.inner.reserve(key, amount, limit, ttlMs);
  }
  add(key: string, delta: number, ttlMs: number): Promise<number> {
    return this.inner.add(key, delta, ttlMs);
  }
  get(key: string): Promise<number> {
    return this.inner.get(key);
  }
  getMany(keys: readonly string[]): Promise<number[]> {
    return this.inner.getMany(keys);
  }

  async publish(channel: string, message: string): Promise<void> {
    const env: Omit<Envelope, 'm'> = { gh: 1, s: this.sender, n: ++this.seq, t: this.clock.now(), b: message };
    await this.inner.publish(channel, JSON.stringify({ ...env, m: this.mac(channel, env) }));
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    // Per subscription, so two handlers in one process each see every message once.
    const lastSeq = new Map<string, number>();
    return this.inner.subscribe(channel, (raw) => {
      const verdict = this.open(channel, raw, lastSeq);
      if (typeof verdict === 'string') {
        this.dropCounts[verdict]++;
        this.opts.logger?.warn('coordination message dropped', { channel, reason: verdict });
        const total = Object.values(this.dropCounts).reduce((a, b) => a + b, 0);
        this.opts.health?.report(
          'coordination',
          `${total} broadcast message(s) dropped since start (last: ${verdict} on ${channel}); check that every ` +
            'replica has the same GATEHOUSE_COORD_KEY and that only Gatehouse can publish on Redis',
        );
        return;
      }
      handler(verdict.b);
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private mac(channel: string, e: Omit<Envelope, 'm'>): string {
    return createHmac('sha256', this.key).update(`${channel}\n${e.s}\n${e.n}\n${e.t}\n${e.b}`).digest('base64url');
  }

  private open(channel: string, raw: string, lastSeq: Map<string, number>): Envelope | DropReason {
    let e: Partial<Envelope>;
    try {
      e = JSON.parse(raw) as Partial<Envelope>;
    } catch {
      return 'unsigned';
    }
    if (
      e?.gh !== 1 ||
      typeof e.s !== 'string' ||
      !Number.isSafeInteger(e.n) ||
      !Number.isSafeInteger(e.t) ||
      typeof e.b !== 'string' ||
      typeof e.m !== 'string'
    )
      return 'unsigned';
    const env = e as Envelope;
    const want = Buffer.from(this.mac(channel, env));
    const got = Buffer.from(env.m);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return 'forged';
    if (Math.abs(this.clock.now() - env.t) > MAX_MESSAGE_AGE_MS) return 'stale';
    if (env.n <= (lastSeq.get(env.s) ?? 0)) return 'replayed';
    lastSeq.set(env.s, env.n);
    return env;
  }
}
