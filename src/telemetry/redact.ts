// DLP redaction of telemetry payloads before anything is stored or exported.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { TelemetryEvent } from '../core/sinks.js';
import type { DlpEngine } from '../dlp/index.js';

/** Returns `text` with sensitive values replaced; must not throw. */
export type Redactor = (text: string) => string;

export const identityRedactor: Redactor = (t) => t;

/**
 * Masks every entity the DLP engine finds; a text the engine refuses to redact is dropped whole (fail closed).
 * Labels repeat (outcome=ok, effect=allow ...), so results are cached: the output depends on the input only.
 * Labels the engine found nothing in are cached by value (they hold nothing sensitive, by the engine's own
 * verdict; a Map lookup costs far less than hashing every label); the others are cached by digest only, so raw
 * sensitive values are never kept.
 */
export function dlpRedactor(engine: Pick<DlpEngine, 'redact'>, cacheSize = 10_000): Redactor {
  const clean = new LRUCache<string, true>({ max: cacheSize });
  const cache = new LRUCache<string, string>({ max: cacheSize });
  return (text) => {
    if (clean.has(text)) return text;
    const key = createHash('sha256').update(text).digest('base64');
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    let out: string;
    try {
      out = engine.redact(text, { default: 'mask' }).text;
    } catch {
      out = '[REDACTED]';
    }
    if (text.length <= 256) {
      if (out === text) clean.set(text, true);
      else cache.set(key, out);
    }
    return out;
  };
}

/** A copy of the event whose string labels went through `redact`; numbers and names of dimensions stay. */
export function redactEvent(e: TelemetryEvent, redact: Redactor): TelemetryEvent {
  if (!e.attrs) return { ...e };
  const attrs: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(e.attrs)) attrs[k] = typeof v === 'string' ? redact(v) : v;
  return { ...e, attrs };
}
