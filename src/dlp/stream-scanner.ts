// Streaming redaction for token streams: holds back only the tail that could still be (part of) a value, so
// ordinary prose goes out at once while values split across chunks are still caught; text no value is completing
// is held at most maxHoldMs / maxHoldChars (dlp.stream), the consumer calling flush() when dueIn() says so.
import { performance } from 'node:perf_hooks';
import { InvalidInputError } from '../core/errors.js';
import { DlpBlockedError } from './dlp-errors.js';
import { applyRedactions, resolvePolicy } from './redact.js';
import { holdStart, valueRunStart } from './stream-holdback.js';
import type { DlpEngine, Finding, RedactPolicy, StreamScanner } from './types.js';

/** Smallest allowed maxHoldback, and the fixed tail held when custom detectors (arbitrary regexes) are on. */
const TAIL = 48;
/** Characters of already-emitted text kept as context for the next scan (e.g. "SSN:" before the digits). */
const CONTEXT = 64;

export interface StreamScannerInternals {
  /** Custom detectors may match across words in ways holdStart cannot know: also hold the last TAIL characters. */
  fixedTail?: boolean;
}

/** Bounds on holding text that no value is completing (dlp.stream in the DLP config). */
export interface HoldBounds {
  /** Longest a character waits (ms) before the held text is cut down to the value still being completed. */
  maxHoldMs: number;
  /** Most characters held before that cut. */
  maxHoldChars: number;
  /** Clock (ms); performance.now() by default. */
  now?: () => number;
}

export function createStreamScanner(
  engine: DlpEngine,
  policy: RedactPolicy,
  maxHoldback = 256,
  internals: StreamScannerInternals = {},
  bounds: HoldBounds = { maxHoldMs: 250, maxHoldChars: 96 },
): StreamScanner {
  if (!Number.isInteger(maxHoldback) || maxHoldback < TAIL)
    throw new InvalidInputError(`maxHoldback must be an integer >= ${TAIL} (got ${maxHoldback}).`);
  let prev = ''; // emitted original text (context only)
  let buf = ''; // held back, not yet emitted
  let emittedUpTo = 0; // stream offset of buf[0]
  const findings: Finding[] = [];
  const now = bounds.now ?? (() => performance.now());
  // Arrival time of each chunk still (partly) held, as [stream offset where it ends, time]: the oldest held
  // character's wait is what maxHoldMs bounds.
  let arrivals: Array<[number, number]> = [];
  // A bounded cut found only a value still being completed: nothing more to release until more text arrives.
  let settled = false;

  const heldSince = (): number | undefined => (buf.length ? arrivals[0]?.[1] : undefined);
  /** Whether what the adaptive cut would keep (from `cut` on) has passed a bound. */
  const overdue = (t: number, text: string, cut: number): boolean => {
    const since = heldSince();
    return since !== undefined && (text.length - cut > bounds.maxHoldChars || t - since >= bounds.maxHoldMs);
  };
  /** The later of the adaptive cut and the bounded one (release all but the value still being completed). */
  const bounded = (text: string, cut: number): number => Math.max(cut, valueRunStart(text, prev.length, TAIL));

  /** Where to cut prev+buf: the adaptive hold start, bounded by maxHoldback. */
  function cutPoint(text: string): number {
    let cut = holdStart(text, prev.length);
    if (internals.fixedTail) {
      let c = Math.max(prev.length, text.length - TAIL);
      while (c > prev.length && !/\s/.test(text[c - 1])) c--;
      cut = Math.min(cut, c);
    }
    const floor = Math.max(prev.length, text.length - maxHoldback);
    if (cut < floor) {
      // More than maxHoldback could still grow: cut at a space between floor and the last TAIL characters.
      cut = Math.max(prev.length, text.length - TAIL);
      while (cut > floor && !/\s/.test(text[cut - 1])) cut--;
      if (cut === floor && floor > prev.length) cut = Math.max(prev.length, text.length - TAIL);
    }
    return cut;
  }

  function emit(final: boolean, text: string, cut: number): string {
    const all = engine.scan(text).filter((f) => f.end > prev.length);
    const blocked = all.filter((f) => resolvePolicy(policy, f.type) === 'block');
    if (blocked.length > 0)
      throw new DlpBlockedError(
        blocked.map((f) => f.type),
        'stream',
        all.map((f) => f.type),
      );
    if (!final) {
      const floor = Math.max(prev.length, text.length - maxHoldback);
      for (const f of all) {
        if (f.start < cut && f.end > cut) cut = f.start >= floor ? f.start : f.end;
      }
      for (const f of all) if (f.start < cut && f.end > cut) cut = f.end; // a finding ending past a moved cut
    }
    // Findings that began inside the context (already emitted) cannot be redacted any more; they are reported.
    const mine = all.filter((f) => f.start >= prev.length && f.end <= cut);
    const out = applyRedactions(text.slice(0, cut), mine, policy, engine.vault).slice(prev.length);
    for (const f of mine)
      findings.push({ ...f, start: f.start - prev.length + emittedUpTo, end: f.end - prev.length + emittedUpTo });
    const emittedOriginal = text.slice(prev.length, cut);
    emittedUpTo += emittedOriginal.length;
    arrivals = arrivals.filter(([end]) => end > emittedUpTo);
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
      const t = now();
      buf += chunk;
      arrivals.push([emittedUpTo + buf.length, t]);
      settled = false;
      const text = prev + buf;
      let cut = cutPoint(text);
      if (overdue(t, text, cut)) {
        cut = bounded(text, cut);
        if (cut <= prev.length) settled = true;
      }
      // Nothing can be released yet: skip the scan (a value is still growing at the tail).
      if (cut <= prev.length) return '';
      return emit(false, text, cut);
    },
    dueIn(): number | undefined {
      const since = heldSince();
      if (since === undefined || settled) return undefined;
      return Math.max(0, since + bounds.maxHoldMs - now());
    },
    flush(): string {
      const text = prev + buf;
      const adaptive = cutPoint(text);
      if (!buf.length || !overdue(now(), text, adaptive)) return '';
      const cut = bounded(text, adaptive);
      if (cut <= prev.length) {
        settled = true;
        return '';
      }
      const out = emit(false, text, cut);
      // What stays is the value being completed; it waits for more text (or the end), not for another timer.
      settled = true;
      return out;
    },
    end(): string {
      return buf.length === 0 ? '' : emit(true, prev + buf, prev.length + buf.length);
    },
  };
}
