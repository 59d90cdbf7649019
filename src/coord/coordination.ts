// The coordination contract: shared counters (budgets, rate limits) and broadcast (kill switches, flags).
// In-process by default; Redis when several replicas run.

export interface ReserveResult {
  ok: boolean;
  /** The counter's value after the call (unchanged when !ok). */
  current: number;
}

export interface Coordination {
  readonly kind: 'memory' | 'redis';
  /** Adds `amount` to `key` only if the result stays <= `limit`; atomic across replicas. The key expires after `ttlMs`. */
  reserve(key: string, amount: number, limit: number, ttlMs: number): Promise<ReserveResult>;
  /** Adds `delta` (may be negative) unconditionally and returns the new value. */
  add(key: string, delta: number, ttlMs: number): Promise<number>;
  get(key: string): Promise<number>;
  /** Reads several counters in one round trip (0 for unknown keys), in the order given. */
  getMany(keys: readonly string[]): Promise<number[]>;
  publish(channel: string, message: string): Promise<void>;
  /** Calls `handler` for every message published on `channel` (by any replica, this one included). Returns an unsubscribe. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
