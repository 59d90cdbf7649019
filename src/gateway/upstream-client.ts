// Calls a provider (OpenAI or Anthropic wire format) over pooled keep-alive HTTP, with a headers timeout,
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
import { parseAnswer, parseSse } from './upstream-parse.js';
import { UpstreamError, providerError, retryAfterSeconds } from './upstream-error.js';

export { UpstreamError };

/** One call: the provider-protocol body (governed, DLP applied), the forced JSON tool if any. */
export interface UpstreamCall {
  body: Record<string, unknown>;
  jsonTool?: string;
  /** Epoch ms by which the call must have an answer, when a caller spans several calls (routing across deployments). */
  deadlineAt?: number;
}

export interface UpstreamTarget {
  /** Catalog model name (for messages). */
  name: string;
  provider: 'openai' | 'anthropic';
  /** Base URL such as https://api.openai.com/v1. */
  baseUrl: string;
  /** Model name sent upstream. */
  upstreamModel: string;
  key: string;
}

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
  private async open(t: UpstreamTarget, call: UpstreamCall, deadline: AbortSignal, endpoint = '/chat/completions') {
    const base = t.baseUrl.replace(/\/+$/, '');
    // OpenAI bases carry /v1 by convention; Anthropic's is often the bare host (https://api.anthropic.com).
    const url = new URL(
      base + (t.provider === 'openai' ? endpoint : base.endsWith('/v1') ? '/messages' : '/v1/messages'),
    );
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (t.provider === 'openai') headers.authorization = `Bearer ${t.key}`;
    else Object.assign(headers, { 'x-api-key': t.key, 'anthropic-version': '2023-06-01' });
    const body = JSON.stringify(call.body);
    try {
      return await this.policy(t.baseUrl).execute(async () => {
        let res;
        try {
          res = await this.pool(url.origin).request({
            path: url.pathname,
            method: 'POST',
            headers,
            body,
            signal: deadline,
            headersTimeout: this.opts.timeoutMs,
            bodyTimeout: this.opts.timeoutMs,
          });
        } catch (err) {
          if (deadline.aborted) throw this.deadlineError(t);
          throw new UpstreamError(
            0,
            `Model '${t.name}': upstream ${url.origin} did not answer (${(err as Error).message}).`,
          );
        }
        if (res.statusCode >= 200 && res.statusCode < 300) return res;
        const text = await res.body.text().catch(() => '');
        const perr = providerError(text);
        const said = String(perr?.message ?? text.slice(0, 300)) || '(empty body)';
        const s = res.statusCode;
        if (s === 429)
          throw new UpstreamError(s, `Model '${t.name}': the provider is rate limiting (429): ${said}`, 429, {
            retryAfterSeconds: retryAfterSeconds(res.headers['retry-after']) ?? 1,
            providerError: perr,
          });
        // The provider refused the request itself: the same status, so clients fix it instead of retrying.
        if (s >= 400 && s < 500)
          throw new UpstreamError(s, `Model '${t.name}': the provider refused the request (${s}): ${said}`, s, {
            providerError: perr,
          });
        throw new UpstreamError(s, `Model '${t.name}': upstream answered ${s}: ${said}`, 502, {
          shouldRetry: false,
        });
      }, deadline);
    } catch (err) {
      if (err instanceof BrokenCircuitError)
        throw new UpstreamError(
          0,
          `Model '${t.name}': upstream ${url.origin} is failing and its circuit breaker is open; retry in ${Math.ceil(this.opts.breakerHalfOpenMs / 1000)}s or use a fallback model.`,
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
      const res = await this.open(t, call, dl.signal);
      let data: Record<string, unknown>;
      try {
        data = (await res.body.json()) as Record<string, unknown>;
      } catch (err) {
        if (dl.signal.aborted) throw this.deadlineError(t);
        throw new UpstreamError(0, `Model '${t.name}': upstream sent an unreadable body (${(err as Error).message}).`);
      }
      return parseAnswer({ provider: t.provider, name: t.name, jsonTool: call.jsonTool }, data);
    } finally {
      dl.clear();
    }
  }

  /** POST /embeddings on an OpenAI-protocol upstream; the provider's JSON answer as it came. */
  async embed(t: UpstreamTarget, body: Record<string, unknown>, deadlineAt?: number): Promise<Record<string, unknown>> {
    const dl = this.deadline(deadlineAt);
    try {
      const res = await this.open(t, { body }, dl.signal, '/embeddings');
      return (await res.body.json()) as Record<string, unknown>;
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
    const res = await this.open(t, call, dl.signal).finally(() => dl.clear());
    return parseSse({ provider: t.provider, name: t.name, jsonTool: call.jsonTool }, res.body as AsyncIterable<Buffer>);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pools.values()].map((p) => p.close()));
  }
}
