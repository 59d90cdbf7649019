// Streaming redaction for token streams: holds back a bounded tail so values split across chunks are still caught.
import { InvalidInputError } from '../core/errors.js';
import { DlpBlockedError } from './dlp-errors.js';
import { applyRedactions, resolvePolicy } from './redact.js';
import type { DlpEngine, Finding, RedactPolicy, StreamScanner } from './types.js';

/** Characters always held back: longer than any spaced structured value (IBAN with spaces is 42). */
const TAIL = 48;
/** Characters of already-emitted text kept as context for the next scan (e.g. "SSN:" before the digits). */
const CONTEXT = 64;

export function createStreamScanner(engine: DlpEngine, policy: RedactPolicy, maxHoldback = 256): StreamScanner {
  if (!Number.isInteger(maxHoldback) || maxHoldback < TAIL) throw new InvalidInputError(`maxHoldback must be an integer >= ${TAIL} (got ${maxHoldback}).`);
  let prev = ''; // emitted original text (context only)
  let buf = ''; // held back, not yet emitted
  let emittedUpTo = 0; // stream offset of buf[0]
  const findings: Finding[] = [];

  function emit(final: boolean): string {
    const text = prev + buf;
    const all = engine.scan(text).filter((f) => f.end > prev.length);
    const blocked = all.filter((f) => resolvePolicy(policy, f.type) === 'block');
    if (blocked.length > 0) throw new DlpBlockedError(blocked.map((f) => f.type), 'stream');
    let cut = final ? text.length : Math.max(prev.length, text.length - TAIL);
    if (!final) {
      const floor = Math.max(prev.length, text.length - maxHoldback);
      // Do not cut inside a word: a key or token may still be growing.
      while (cut > floor && !/\s/.test(text[cut - 1])) cut--;
      if (cut === floor && floor > prev.length) cut = Math.max(prev.length, text.length - TAIL);
      for (const f of all) {
        if (f.start < cut && f.end > cut) cut = f.start >= floor ? f.start : f.end;
      }
      for (const f of all) if (f.start < cut && f.end > cut) cut = f.end; // a finding ending past a moved cut
    }
    // Findings that began inside the context (already emitted) cannot be redacted any more; they are reported.
    const mine = all.filter((f) => f.start >= prev.length && f.end <= cut);
    const out = applyRedactions(text.slice(0, cut), mine, policy, engine.vault).slice(prev.length);
    for (const f of mine) findings.push({ ...f, start: f.start - prev.length + emittedUpTo, end: f.end - prev.length + emittedUpTo });
    const emittedOriginal = text.slice(prev.length, cut);
    emittedUpTo += emittedOriginal.length;
    prev = (prev + emittedOriginal).slice(-CONTEXT);
    buf = text.slice(cut);
    return out;
  }

  return {
    findings,
    get pending() {
      return buf.length;
    },
    push(chunk: string): string {
      buf += chunk;
      if (buf.length <= TAIL) return '';
      return emit(false);
    },
    end(): string {
      return buf.length === 0 ? '' : emit(true);
    },
  };
}
