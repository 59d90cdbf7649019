// Calls a provider through its adapter (providers/) over pooled keep-alive HTTP, with a headers timeout,
// retries with backoff on 5xx/network faults before any byte is streamed, a circuit breaker per upstream, and one
// total deadline per call covering the retries (until the first byte, for streams).
import { Pool } from 'undici';
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  ExponentialBackoff,
  CircuitState,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import type { ChatResult, UpstreamEvent } from './gateway-types.js';
import { UpstreamError } from './upstream-error.js';
import type { ProviderOp, ProviderTarget, UpstreamCall } from './providers/provider-adapter.js';
import { adapterOf } from './providers/provider-registry.js';

export { UpstreamError };
export type { UpstreamCall };

/** Which model a call goes to; the adapter for `doc.spec.provider` builds and reads everything provider-specific. */
export type UpstreamTarget = ProviderTarget;

export interface UpstreamOptions {
  timeoutMs: number;
  /** Extra attempts after the first, on 429/5xx/network errors, before any byte was streamed. */
  retries: number;
  retryBaseMs: number;
  breakerFailures: number;
  breakerHalfOpenMs: number;
  /** Total time for a call, retries included (until the first byte for streams). */
  deadlineMs: number;
}

// A 429 is not retried here: the provider said when to come back, and the client gets that Retry-After.
const retryable = (e: Error) => e instanceof UpstreamError && (e.upstreamStatus === 0 || e.upstreamStatus >= 500);
const breakerCounts = (e: Error) => e instanceof UpstreamError && (e.upstreamStatus === 0 || e.upstreamStatus >= 500);

export class UpstreamClient {
  private readonly pools = new Map<string, Pool>();
  private readonly policies = new Map<string, IPolicy>();
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  /** When each upstream's circuit last opened (cleared when it closes again). */
  private readonly openedAt = new Map<string, number>();

  constructor(private readonly opts: UpstreamOptions) {}

  private pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p)
      this.pools.set(origin, (p = new Pool(origin, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 })));
    return p;
  }

  private policy(baseUrl: string): IPolicy {
    let p = this.policies.get(baseUrl);
    if (!p) {
      const breaker = circuitBreaker(handleWhen(breakerCounts), {
        halfOpenAfter: this.opts.breakerHalfOpenMs,
        breaker: new ConsecutiveBreaker(this.opts.breakerFailures),
      });
      this.breakers.set(baseUrl, breaker);
      breaker.onBreak(() => this.openedAt.set(baseUrl, Date.now()));
      breaker.onReset(() => this.openedAt.delete(baseUrl));
      const again = retry(handleWhen(retryable), {
        maxAttempts: this.opts.retries,
        backoff: new ExponentialBackoff({ initialDelay: this.opts.retryBaseMs, maxDelay: 2000 }),
      });
      this.policies.set(baseUrl, (p = wrap(again, breaker)));
    }
    return p;
  }

  /** Sends the request and resolves once a 2xx arrived (retrying before that); the body is still unread. */
  private async open(t: UpstreamTarget, call: UpstreamCall, deadline: AbortSignal, op: ProviderOp) {
    const adapter = adapterOf(t.doc);
    let origin = t.baseUrl;
    try {
      return await this.policy(t.baseUrl).execute(async () => {
        // Built per attempt: a token an adapter fetched may have expired between retries.
        const req = await adapter.request(t, call, op);
        origin = req.url.origin;
        let res;
        try {
          res = await this.pool(req.url.origin).request({
            path: req.url.pathname + req.url.search,
            method: 'POST',
            headers: req.headers,
            body: req.body,
            signal: deadline,
            headersTimeout: this.opts.timeoutMs,
            bodyTimeout: this.opts.timeoutMs,
          });
        } catch (err) {
          if (deadline.aborted) throw this.deadlineError(t);
          throw new UpstreamError(
            0,
            `Model '${t.name}': upstream ${req.url.origin} did not answer (${(err as Error).message}).`,
          );
        }
        if (res.statusCode >= 200 && res.statusCode < 300) return res;
        const text = await res.body.text().catch(() => '');
        throw adapter.mapError(t, { status: res.statusCode, body: text, headers: res.headers });
      }, deadline);
    } catch (err) {
      if (err instanceof BrokenCircuitError)
        throw new UpstreamError(
          0,
          `Model '${t.name}': upstream ${new URL(origin).origin} is failing and its circuit breaker is open; retry in ${Math.ceil(this.opts.breakerHalfOpenMs / 1000)}s or use a fallback model.`,
          503,
          { retryAfterSeconds: Math.ceil(this.opts.breakerHalfOpenMs / 1000) },
        );
      if (deadline.aborted && !(err instanceof UpstreamError && err.status === 504)) throw this.deadlineError(t);
      throw err;
    }
  }

  private deadlineError(t: UpstreamTarget): UpstreamError {
    return new UpstreamError(
      0,
      `Model '${t.name}': no answer within the gateway deadline of ${this.opts.deadlineMs} ms (gateway.deadlineMs), retries included.`,
      504,
      { shouldRetry: false },
    );
  }

  /**
   * True while the upstream's circuit is open and not yet due for its half-open probe: a call would be refused at
   * once. (Past breakerHalfOpenMs it is false again, so routing lets a probe through.)
   */
  circuitOpen(baseUrl: string): boolean {
    const at = this.openedAt.get(baseUrl);
    return at !== undefined && Date.now() - at < this.opts.breakerHalfOpenMs;
  }

  /** The breaker state of an upstream, for operators (closed when it was never called). */
  circuitState(baseUrl: string): 'closed' | 'open' | 'half-open' {
    const s = this.breakers.get(baseUrl)?.state;
    return s === CircuitState.Open || s === CircuitState.Isolated
      ? 'open'
      : s === CircuitState.HalfOpen
        ? 'half-open'
        : 'closed';
  }

  /** A deadline signal and its cancel (so a finished call leaves no timer behind). */
  private deadline(at?: number): { signal: AbortSignal; clear(): void } {
    const ac = new AbortController();
    const ms = at === undefined ? this.opts.deadlineMs : Math.max(1, Math.min(this.opts.deadlineMs, at - Date.now()));
    const timer = setTimeout(() => ac.abort(), ms);
    return { signal: ac.signal, clear: () => clearTimeout(timer) };
  }

  async complete(t: UpstreamTarget, call: UpstreamCall): Promise<ChatResult> {
    const dl = this.deadline(call.deadlineAt);
    try {
      const res = await this.open(t, call, dl.signal, 'chat');
      let data: Record<string, unknown>;
      try {
        data = (await res.body.json()) as Record<string, unknown>;
      } catch (err) {
        if (dl.signal.aborted) throw this.deadlineError(t);
        throw new UpstreamError(0, `Model '${t.name}': upstream sent an unreadable body (${(err as Error).message}).`);
      }
      return adapterOf(t.doc).parseAnswer(t, call, data);
    } finally {
      dl.clear();
    }
  }

  /** Embeddings: an OpenAI embeddings body in, OpenAI's embeddings answer out (the adapter translates). */
  async embed(t: UpstreamTarget, body: Record<string, unknown>, deadlineAt?: number): Promise<Record<string, unknown>> {
    const dl = this.deadline(deadlineAt);
    try {
      const res = await this.open(t, { body }, dl.signal, 'embed');
      const data = (await res.body.json()) as Record<string, unknown>;
      return adapterOf(t.doc).parseEmbeddings(t, { body }, data);
    } catch (err) {
      if (dl.signal.aborted) throw this.deadlineError(t);
      if (err instanceof UpstreamError) throw err;
      throw new UpstreamError(0, `Model '${t.name}': upstream sent an unreadable body (${(err as Error).message}).`);
    } finally {
      dl.clear();
    }
  }

  /** Resolves once the upstream accepted the stream; iterating may throw UpstreamError if it breaks mid-way. */
  async stream(t: UpstreamTarget, call: UpstreamCall): Promise<AsyncIterable<UpstreamEvent>> {
    const dl = this.deadline(call.deadlineAt);
    // The deadline covers the wait for the first byte; the body then runs under bodyTimeout (between chunks).
    const res = await this.open(t, call, dl.signal, 'stream').finally(() => dl.clear());
    return adapterOf(t.doc).parseStream(t, call, res.body as AsyncIterable<Buffer>);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pools.values()].map((p) => p.close()));
  }
}
