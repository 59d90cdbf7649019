// What the OpenAI and Anthropic surfaces share: the caller's key, response headers, SSE responses.
import { performance } from 'node:perf_hooks';
import type { Context } from 'hono';
import { asGatehouseError, type GatehouseError } from '../core/errors.js';
import { loweredHeader } from './call-limits.js';
import type { Invocation } from './model-invoker.js';
import { parseBearer } from '../http/bearer.js';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { SourceAddress } from './key-policy.js';
import type { Credentials } from './credentials.js';
import type { Caller } from './gateway-types.js';

/** The Gatehouse key from `Authorization: Bearer` (OpenAI clients) or `x-api-key` (Anthropic clients). */
export function apiKeyOf(c: Context): string | undefined {
  return parseBearer(c.req.header('authorization')) ?? (c.req.header('x-api-key')?.trim() || undefined);
}

/** Where the request came from (read only when a key limits its networks): TCP peer and X-Forwarded-For. */
export function sourceOf(c: Context): () => SourceAddress {
  return () => {
    let peer: string | undefined;
    try {
      peer = getConnInfo(c).remote.address;
    } catch {
      peer = undefined;
    }
    return { peer, forwardedFor: c.req.header('x-forwarded-for') };
  };
}

export function invocationHeaders(inv: Invocation, tStart: number): Record<string, string> {
  const h: Record<string, string> = {
    'x-gatehouse-decision-id': inv.decisionId,
    'x-gatehouse-model': inv.model,
    'x-gatehouse-overhead-ms': Math.max(0, performance.now() - tStart - inv.upstreamMs).toFixed(3),
  };
  if (inv.result) h['x-gatehouse-cost-usd'] = inv.result.costUsd.toFixed(9).replace(/0+$/, '').replace(/\.$/, '.0');
  if (inv.fallbackFrom) h['x-gatehouse-fallback-from'] = inv.fallbackFrom;
  if (inv.maxTokensLowered) h['x-gatehouse-max-tokens-lowered'] = loweredHeader(inv.maxTokensLowered);
  if (inv.cached) h['x-gatehouse-cache'] = 'hit';
  return h;
}

/** Headers every refusal carries: decision id, Retry-After, and x-should-retry so official SDKs do not retry pointlessly. */
export function errorHeaders(e: GatehouseError): Record<string, string> {
  const h: Record<string, string> = {};
  if (typeof e.extra.decisionId === 'string') h['x-gatehouse-decision-id'] = e.extra.decisionId;
  const ra = e.extra.retryAfterSeconds;
  if (typeof ra === 'number') {
    h['retry-after'] = String(Math.max(1, Math.ceil(ra)));
    // SDKs wait at most about a minute; a longer wait is the caller's to schedule.
    h['x-should-retry'] = ra > 60 ? 'false' : 'true';
  } else if (e.status < 500 || e.extra.shouldRetry === false) h['x-should-retry'] = 'false';
  return h;
}

/** The model a request body names (for recording a refusal of a body that did not validate), else ''. */
export function modelName(raw: unknown): string {
  const m = (raw as { model?: unknown } | null)?.model;
  return typeof m === 'string' ? m.slice(0, 200) : '';
}

export function toError(err: unknown): GatehouseError {
  return asGatehouseError(err);
}

/** An SSE response pulled from `frames` (already formatted); the client going away cancels the source. */
export function sseResponse(frames: AsyncIterable<string>, headers: Record<string, string>): Response {
  const it = frames[Symbol.asyncIterator]();
  const enc = new TextEncoder();
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      started = true;
      try {
        const n = await it.next();
        if (n.done) ctrl.close();
        else ctrl.enqueue(enc.encode(n.value));
      } catch (err) {
        ctrl.error(err);
      }
    },
    async cancel() {
      // A generator that never started does not run its finally on return(): a client gone before the first
      // frame (closed, or dropped by the idle timeout while the call was prepared) would leave the call unsettled
      // and unrecorded. Starting it first lets the stream's cleanup charge and record it as client_closed.
      if (!started) await it.next().catch(() => undefined);
      await it.return?.();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...headers,
    },
  });
}

/**
 * Who calls a /v1 route: the key or token, the app it names (identity tokens) and the caller's address (key
 * networks). Every surface authenticates through here, before reading the body.
 */
export function callerOf(c: Context, credentials: Pick<Credentials, 'resolve'>): Promise<Caller> {
  return credentials.resolve(apiKeyOf(c), undefined, c.req.header('x-gatehouse-app'), sourceOf(c));
}
