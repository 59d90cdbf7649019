// The recognizer contract (Presidio's design): a pattern with a base score, a validator, and context words.
import type { EntityType } from './types.js';

export type Emit = (start: number, end: number, score: number) => void;

export interface Recognizer {
  /** Detector name reported in findings. */
  name: string;
  entity: EntityType;
  /** Emits validated candidates with their base score. `lower` (when the recognizer sets usesLower) is the text
   *  lower-cased with the same offsets, for case-insensitive patterns; undefined when that is not possible. */
  run(text: string, emit: Emit, lower?: string): void;
  usesLower?: boolean;
  /** Words near a match (before it mostly) that raise its score by contextBoost. */
  context?: readonly string[];
  contextBoost?: number;
  /** Cap after context (PERSON stays below STREET_ADDRESS so `12 Evie Plains` stays an address). */
  maxScore?: number;
  /** The highest score `run` emits before context; when below the threshold, the engine skips the recognizer
   *  unless one of its context words occurs somewhere in the text (a cheap `includes` instead of a regex pass). */
  maxBaseScore?: number;
  /** Cheap facts about the whole text (one pass, shared by every recognizer) that must hold for `run` to find
   *  anything; the engine skips the recognizer otherwise. Must never reject a text `run` would find something in. */
  gate?: (facts: TextFacts) => boolean;
}

/** What one pass over the text learns for every recognizer's gate. */
export interface TextFacts {
  /** The most ASCII digits within any 48 characters (every digit-based candidate is shorter than that). */
  digitsNear: number;
  at: boolean;
  colon: boolean;
  /** An ASCII capital or any Latin-1/Extended-A letter (PERSON candidates start with a capital). */
  upper: boolean;
}

const WINDOW = 48;

/** One pass over the text: digit density and the characters that email and IPv6 candidates need. */
export function textFacts(text: string): TextFacts {
  let at = false;
  let colon = false;
  let upper = false;
  let best = 0;
  // Positions of the last WINDOW digits in a ring: the digits within 48 characters of digit k are those whose
  // position is > pos(k) - WINDOW.
  const ring = new Int32Array(WINDOW);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      ring[n % WINDOW] = i;
      n++;
      // One more digit raises the best count by at most one: only best + 1 needs checking.
      if (best < WINDOW && n > best && ring[(n - best - 1) % WINDOW] > i - WINDOW) best++;
    } else if (c === 64) at = true;
    else if (c === 58) colon = true;
    else if ((c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0x17f)) upper = true;
  }
  return { digitsNear: best, at, colon, upper };
}

/** A gate for candidates with at least `min` digits. */
export const minDigits =
  (min: number) =>
  (f: TextFacts): boolean =>
    f.digitsNear >= min;

/** Runs a global regex and emits every match that `validate` accepts, with `score`. */
export function regexRecognizer(
  name: string,
  entity: EntityType,
  re: RegExp,
  score: number,
  opts: {
    validate?: (m: string) => boolean;
    context?: readonly string[];
    contextBoost?: number;
    prefilter?: (text: string) => boolean;
    /** Fewest digits a match can have (a gate on TextFacts; 1 for any pattern that needs a digit). */
    minDigits?: number;
    group?: number;
  } = {},
): Recognizer {
  if (!re.global) throw new Error(`recognizer ${name}: the pattern needs the g flag`);
  const { validate, prefilter, group = 0 } = opts;
  return {
    name,
    entity,
    context: opts.context,
    contextBoost: opts.contextBoost,
    maxBaseScore: score,
    gate: opts.minDigits ? minDigits(opts.minDigits) : undefined,
    run(text, emit) {
      if (prefilter && !prefilter(text)) return;
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) {
        const value = m[group];
        if (value === undefined) continue;
        const start = group === 0 ? m.index : m.index + m[0].lastIndexOf(value);
        if (!validate || validate(value)) emit(start, start + value.length, score);
        if (m[0].length === 0) re.lastIndex++;
      }
    },
  };
}

const HAS_DIGIT = /\d/;
export const hasDigit = (t: string): boolean => HAS_DIGIT.test(t);
