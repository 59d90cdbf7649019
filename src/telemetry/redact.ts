// DLP redaction of telemetry payloads before anything is stored or exported.
import type { TelemetryEvent } from '../core/sinks.js';
import type { DlpEngine } from '../dlp/index.js';

/** Returns `text` with sensitive values replaced; must not throw. */
export type Redactor = (text: string) => string;

export const identityRedactor: Redactor = (t) => t;

/** Masks every entity the DLP engine finds; a text the engine refuses to redact is dropped whole (fail closed). */
export function dlpRedactor(engine: Pick<DlpEngine, 'redact'>): Redactor {
  return (text) => {
    try {
      return engine.redact(text, { default: 'mask' }).text;
    } catch {
      return '[REDACTED]';
    }
  };
}

/** A copy of the event whose string labels went through `redact`; numbers and names of dimensions stay. */
export function redactEvent(e: TelemetryEvent, redact: Redactor): TelemetryEvent {
  if (!e.attrs) return { ...e };
  const attrs: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(e.attrs)) attrs[k] = typeof v === 'string' ? redact(v) : v;
  return { ...e, attrs };
}
