// The error an upstream call ends with, carrying what the provider said so the surfaces can answer faithfully:
// its status, its error body, its Retry-After, and whether the client should retry.
import { GatehouseError } from '../core/errors.js';

/** An upstream refused or failed; `upstreamStatus` is what the provider said (0 for network faults). */
export class UpstreamError extends GatehouseError {
  constructor(
    readonly upstreamStatus: number,
    message: string,
    status = 502,
    extra: Record<string, unknown> = {},
  ) {
    super(status === 504 ? 'upstream_timeout' : 'upstream_error', status, message, [], { upstreamStatus, ...extra });
  }
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  const n = Number(v);
  if (Number.isFinite(n)) return Math.max(0, n);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, Math.ceil((t - now) / 1000));
}

/** The provider's error object (`{message, type, ...}`) out of its body, when it sent one. */
export function providerError(text: string): Record<string, unknown> | undefined {
  try {
    const j = JSON.parse(text) as { error?: unknown };
    if (j.error && typeof j.error === 'object') return j.error as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return undefined;
}
