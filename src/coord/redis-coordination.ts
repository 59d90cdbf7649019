// Redis coordination for several replicas: counters checked-and-added atomically by a Lua script, broadcast by pub/sub.
import { Redis, type RedisOptions } from 'ioredis';
import { UnavailableError } from '../core/errors.js';
import type { Coordination, ReserveResult } from './coordination.js';

// One round trip, atomic on the server: read, compare with the limit, add, set the expiry on first write.
const RESERVE_LUA = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local amt = tonumber(ARGV[1])
if cur + amt > tonumber(ARGV[2]) then return {0, tostring(cur)} end
local v = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, v}`;

const ADD_LUA = `
local v = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;

interface ScriptedRedis extends Redis {
  ghReserve(key: string, amount: string, limit: string, ttlMs: string): Promise<[number, string]>;
  ghAdd(key: string, delta: string, ttlMs: string): Promise<string>;
}

export interface RedisCoordinationOptions {
  url: string;
  /** Prepended to every key and channel, so deployments (and tests) sharing a server stay apart. */
  prefix?: string;
  redisOptions?: RedisOptions;
}

export class RedisCoordination implements Coordination {
  readonly kind = 'redis' as const;
  private readonly cmd: ScriptedRedis;
  private sub: Redis | undefined;
  private readonly handlers = new Map<string, Set<(m: string) => void>>();
  private readonly prefix: string;
  private readonly url: string;
  private readonly redisOptions: RedisOptions;
  /** Set when a connection that was ready is lost, until it is ready again: commands then fail at once. */
  private lost = false;

  constructor(opts: RedisCoordinationOptions) {
    this.prefix = opts.prefix ?? 'gatehouse:';
    // Fail fast instead of queueing forever: an enforcing path must not hang when Redis is down.
    const base: RedisOptions = {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
      lazyConnect: false,
      ...opts.redisOptions,
    };
    this.cmd = new Redis(opts.url, base) as ScriptedRedis;
    this.cmd.on('error', () => {}); // errors surface on the commands; avoid unhandled 'error' events
    // While ioredis reconnects, a queued command waits for the next attempt (seconds, growing with each one):
    // a budgeted call must not wait that long to learn Redis is gone, so commands fail at once until it is back.
    this.cmd.on('ready', () => (this.lost = false));
    this.cmd.on('close', () => (this.lost = true));
    this.cmd.defineCommand('ghReserve', { numberOfKeys: 1, lua: RESERVE_LUA });
    this.cmd.defineCommand('ghAdd', { numberOfKeys: 1, lua: ADD_LUA });
    this.url = opts.url;
    this.redisOptions = base;
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.lost)
      throw new UnavailableError(
        `Redis coordination failed during ${what} (connection lost, reconnecting); check redisUrl and that Redis is running.`,
      );
    try {
      return await fn();
    } catch (err) {
      throw new UnavailableError(
        `Redis coordination failed during ${what} (${(err as Error).message}); check redisUrl and that Redis is running.`,
      );
    }
  }

  async reserve(key: string, amount: number, limit: number, ttlMs: number): Promise<ReserveResult> {
    const [ok, value] = await this.run('reserve', () =>
      this.cmd.ghReserve(this.prefix + key, String(amount), String(limit), String(Math.max(1, Math.ceil(ttlMs)))),
    );
    return { ok: ok === 1, current: Number(value) };
  }

  async add(key: string, delta: number, ttlMs: number): Promise<number> {
    return Number(
      await this.run('add', () =>
        this.cmd.ghAdd(this.prefix + key, String(delta), String(Math.max(1, Math.ceil(ttlMs)))),
      ),
    );
  }

  async get(key: string): Promise<number> {
    const v = await this.run('get', () => this.cmd.get(this.prefix + key));
    return v === null ? 0 : Number(v);
  }

  async getMany(keys: readonly string[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const vs = await this.run('getMany', () => this.cmd.mget(...keys.map((k) => this.prefix + k)));
    return vs.map((v) => (v === null ? 0 : Number(v)));
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.run('publish', () => this.cmd.publish(this.prefix + channel, message));
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    if (!this.sub) {
      // A connection in subscriber mode cannot run other commands, so pub/sub gets its own.
      this.sub = new Redis(this.url, this.redisOptions);
      this.sub.on('error', () => {});
      this.sub.on('message', (ch: string, msg: string) => {
        for (const h of this.handlers.get(ch) ?? []) {
          try {
            h(msg);
          } catch {
            // one bad listener must not stop delivery to the others
          }
        }
      });
    }
    const full = this.prefix + channel;
    let set = this.handlers.get(full);
    if (!set) {
      this.handlers.set(full, (set = new Set()));
      const sub = this.sub;
      await this.run('subscribe', () => sub.subscribe(full));
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(full) === set) {
        this.handlers.delete(full);
        await this.sub?.unsubscribe(full).catch(() => {});
      }
    };
  }

  async close(): Promise<void> {
    this.handlers.clear();
    await Promise.allSettled([this.cmd.quit(), this.sub?.quit()]);
  }
}
