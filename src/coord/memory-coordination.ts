// In-process coordination: counters in a Map with expiry, broadcast through local listeners.
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { Coordination, ReserveResult } from './coordination.js';

interface Counter {
  value: number;
  expiresAt: number;
}

export class MemoryCoordination implements Coordination {
  readonly kind = 'memory' as const;
  private readonly counters = new Map<string, Counter>();
  private readonly listeners = new Map<string, Set<(m: string) => void>>();

  constructor(private readonly clock: Clock = systemClock) {}

  private live(key: string): Counter | undefined {
    const c = this.counters.get(key);
    if (c && c.expiresAt <= this.clock.now()) {
      this.counters.delete(key);
      return undefined;
    }
    return c;
  }

  async reserve(key: string, amount: number, limit: number, ttlMs: number): Promise<ReserveResult> {
    const c = this.live(key);
    const current = c?.value ?? 0;
    if (current + amount > limit) return { ok: false, current };
    this.counters.set(key, { value: current + amount, expiresAt: c?.expiresAt ?? this.clock.now() + ttlMs });
    return { ok: true, current: current + amount };
  }

  async add(key: string, delta: number, ttlMs: number): Promise<number> {
    const c = this.live(key);
    const value = (c?.value ?? 0) + delta;
    this.counters.set(key, { value, expiresAt: c?.expiresAt ?? this.clock.now() + ttlMs });
    return value;
  }

  async get(key: string): Promise<number> {
    return this.live(key)?.value ?? 0;
  }

  async getMany(keys: readonly string[]): Promise<number[]> {
    return keys.map((k) => this.live(k)?.value ?? 0);
  }

  async publish(channel: string, message: string): Promise<void> {
    for (const h of this.listeners.get(channel) ?? []) {
      try {
        h(message);
      } catch {
        // one bad listener must not stop delivery to the others
      }
    }
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(handler);
    return async () => {
      set.delete(handler);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
