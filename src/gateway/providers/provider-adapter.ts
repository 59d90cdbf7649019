// The contract every upstream provider implements: build the HTTP request for a chat, stream or embedding call,
// read the JSON answer and the stream into the gateway's neutral types, map provider errors, count and price tokens.
import type { ModelDoc } from '../../catalog/catalog-schema.js';
import type { ChatResult, Protocol, UpstreamEvent } from '../gateway-types.js';
import { UpstreamError, providerError, retryAfterSeconds } from '../upstream-error.js';

/** Every `spec.provider` value a catalog Model may name. */
export type ProviderKind = ModelDoc['spec']['provider'];

/** What a call is for: one JSON answer, a stream of events, or embeddings. */
export type ProviderOp = 'chat' | 'stream' | 'embed';

/** Which model and credential a call goes to (the credential never leaves the server, never appears in messages). */
export interface ProviderTarget {
  /** Catalog model name (for messages). */
  name: string;
  /** The catalog Model document (provider-specific fields live on its spec). */
  doc: ModelDoc;
  /** Base URL of the deployment serving this call: `spec.upstream`, or a routed deployment's `upstream`. */
  baseUrl: string;
  /** Model name (or deployment) sent upstream. */
  upstreamModel: string;
  /** The provider credential: an API key, a bearer token, or a service-account JSON; '' when the adapter needs none. */
  key: string;
}

/**
 * One call: the governed body in the adapter's `wire` protocol (DLP applied, governed fields set by finalBody), and
 * the forced JSON tool if any (an Anthropic-wire JSON answer). Embedding calls carry an OpenAI embeddings body.
 */
export interface UpstreamCall {
  body: Record<string, unknown>;
  jsonTool?: string;
  /** Epoch ms by which the call must have an answer, when a caller spans several calls (routing across deployments). */
  deadlineAt?: number;
}

/** The HTTP request an adapter builds; UpstreamClient sends it (pooling, retries, breaker, deadline). */
export interface ProviderRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
}

/** The provider's non-2xx answer as it arrived. */
export interface ProviderFailure {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface ProviderAdapter {
  readonly kind: ProviderKind;
  /** The protocol the caller's body is translated into (wire-translate.ts) before this adapter sees it. */
  readonly wire: Protocol;
  /** Whether the adapter serves embeddings (OpenAI-shaped request and answer at the gateway). */
  readonly embeddings: boolean;
  /** Whether a call needs a provider credential for this model (false: an unauthenticated local server). */
  needsKey(doc: ModelDoc): boolean;
  /**
   * Refuses (400 naming the field, via wire-fields.ts `refuse`) what this provider cannot take, before anything
   * runs. `body` is in the `wire` protocol, without the governed fields.
   */
  check(body: Record<string, unknown>, doc: ModelDoc): void;
  /** The HTTP request for one call (may fetch and cache a token, hence async). */
  request(t: ProviderTarget, call: UpstreamCall, op: ProviderOp): Promise<ProviderRequest>;
  /** A 2xx JSON chat answer → the neutral result. */
  parseAnswer(t: ProviderTarget, call: UpstreamCall, data: Record<string, unknown>): ChatResult;
  /** A 2xx streamed body → neutral events; throws UpstreamError if the stream breaks or reports an error. */
  parseStream(t: ProviderTarget, call: UpstreamCall, body: AsyncIterable<Buffer>): AsyncIterable<UpstreamEvent>;
  /** A 2xx embeddings answer → OpenAI's embeddings shape ({object:'list', data:[{embedding,index}], usage}). */
  parseEmbeddings(t: ProviderTarget, call: UpstreamCall, data: Record<string, unknown>): Record<string, unknown>;
  /** A non-2xx answer → the error the client gets (names the model, never the key). */
  mapError(t: ProviderTarget, failure: ProviderFailure): UpstreamError;
  /** Multiplier on the gateway's o200k_base token count for this provider's tokenizer (1 when it is exact). */
  tokenScale(anthropicFactor: number): number;
  /** Cost of a call in nano-dollars (integers). */
  priceNanos(doc: ModelDoc, inputTokens: number, outputTokens: number): number;
}

/** List price from `spec.pricing` (USD per million tokens) in nano-dollars: the default pricing hook. */
export function listPriceNanos(doc: ModelDoc, inputTokens: number, outputTokens: number): number {
  const p = doc.spec.pricing;
  return Math.ceil(inputTokens * p.inputPerMTok * 1000 + outputTokens * p.outputPerMTok * 1000);
}

/** The provider's own message out of an error body (`{error:{message}}`, `{message}` or `[{error:{...}}]`). */
export function providerSaid(text: string): { said: string; error?: Record<string, unknown> } {
  let error = providerError(text);
  if (!error)
    try {
      const j = JSON.parse(text) as unknown;
      const first = Array.isArray(j) ? (j[0] as { error?: unknown } | undefined)?.error : undefined;
      if (first && typeof first === 'object') error = first as Record<string, unknown>;
      else if (j && typeof j === 'object' && typeof (j as { message?: unknown }).message === 'string')
        error = j as Record<string, unknown>;
    } catch {
      // not JSON
    }
  return { said: String(error?.message ?? text.slice(0, 300)) || '(empty body)', error };
}

/**
 * The shared mapping of a provider's non-2xx answer: 401/403 → 502 saying the provider refused Gatehouse's key for
 * the model (the caller's own key was fine, and the provider's words, which may echo key fragments, are dropped);
 * 429 → 429 with Retry-After; other 4xx → the same status with the provider's message; 5xx → 502.
 */
export function mapProviderError(t: ProviderTarget, f: ProviderFailure, providerName: string): UpstreamError {
  const { said, error } = providerSaid(f.body);
  const s = f.status;
  if (s === 401 || s === 403)
    return new UpstreamError(
      s,
      `Model '${t.name}': ${providerName} refused the provider credential configured for this model (${s}); an admin must set a valid one with \`gatehouse model key set ${t.name}\`.`,
      502,
      { shouldRetry: false, credentialRefused: true },
    );
  if (s === 429)
    return new UpstreamError(s, `Model '${t.name}': the provider is rate limiting (429): ${said}`, 429, {
      retryAfterSeconds: retryAfterSeconds(f.headers['retry-after']) ?? 1,
      providerError: error,
    });
  // The provider refused the request itself: the same status, so clients fix it instead of retrying.
  if (s >= 400 && s < 500)
    return new UpstreamError(s, `Model '${t.name}': the provider refused the request (${s}): ${said}`, s, {
      providerError: error,
    });
  return new UpstreamError(s, `Model '${t.name}': upstream answered ${s}: ${said}`, 502, { shouldRetry: false });
}

/** Joins a base URL and a path without doubling slashes. */
export function joinUrl(base: string, path: string): URL {
  return new URL(base.replace(/\/+$/, '') + path);
}
