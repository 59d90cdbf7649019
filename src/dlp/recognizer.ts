// The recognizer contract (Presidio's design): candidates with a base score, a validator, and context words.
import { eachStart, type NumericGroup, type ScanInput } from './scan-input.js';
import type { EntityType } from './types.js';

export type Emit = (start: number, end: number, score: number) => void;

export interface Recognizer {
  /** Detector name reported in findings. */
  name: string;
  entity: EntityType;
  /** Whole-text recognizers (email, IPv6, secrets, custom regexes): called once per scan. */
  run?(input: ScanInput, emit: Emit): void;
  /** Numeric recognizers: called for each digit-bearing group of the shared candidate pass with >= minDigits. */
  group?(input: ScanInput, g: NumericGroup, emit: Emit): void;
  minDigits?: number;
  /** Words near a match (before it mostly) that raise its score by contextBoost. */
  context?: readonly string[];
  contextBoost?: number;
  /** Cap after context (PERSON stays below STREET_ADDRESS so `12 Evie Plains` stays an address). */
  maxScore?: number;
  /** The highest score the recognizer emits before context; when below the threshold, the engine only offers it
   *  candidates near one of its context words (found by one pass for all such recognizers). */
  maxBaseScore?: number;
}

/** Runs a global regex over the whole text and emits every match that `validate` accepts, with `score`. */
export function regexRecognizer(
  name: string,
  entity: EntityType,
  re: RegExp,
  score: number,
  opts: {
    validate?: (m: string) => boolean;
    context?: readonly string[];
    contextBoost?: number;
  } = {},
): Recognizer {
  if (!re.global) throw new Error(`recognizer ${name}: the pattern needs the g flag`);
  const { validate } = opts;
  return {
    name,
    entity,
    context: opts.context,
    contextBoost: opts.contextBoost,
    maxBaseScore: score,
    run({ text }, emit) {
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) {
        const value = m[0];
        if (!validate || validate(value)) emit(m.index, m.index + value.length, score);
        if (value.length === 0) re.lastIndex++;
      }
    },
  };
}

/** Scores a matched value; 0 drops it. */
export type Score = (value: string, text: string, start: number) => number;

/**
 * A numeric recognizer from a sticky regex tried at each place a value may begin in a group (word starts, digit
 * runs, and a `lead` character such as `+` or `(` just before a word). Like a global regex scan, the next try
 * starts after the previous match, so findings match what the same pattern finds over the whole text.
 */
export function groupRecognizer(
  name: string,
  entity: EntityType,
  source: string,
  score: number | Score,
  opts: {
    minDigits: number;
    flags?: string;
    /** Also try one or two characters before a word when they are `+` or `(` (phone numbers). */
    lead?: boolean;
    /** Also try digit runs inside a word (`ab123`): for patterns whose look-behind only excludes digits. */
    midWord?: boolean;
    /** More places to try before the group's own (`AB 12 34 56 C` begins three characters before the digits). */
    before?: (text: string, g: NumericGroup, at: (p: number) => void) => void;
    context?: readonly string[];
    contextBoost?: number;
    maxBaseScore?: number;
  },
): Recognizer {
  const re = new RegExp(source, `y${opts.flags ?? ''}`);
  const lead = opts.lead ?? false;
  const midWord = opts.midWord ?? false;
  return {
    name,
    entity,
    minDigits: opts.minDigits,
    context: opts.context,
    contextBoost: opts.contextBoost,
    maxBaseScore: opts.maxBaseScore ?? (typeof score === 'number' ? score : undefined),
    group({ text }, g, emit) {
      let next = 0;
      const at = (p: number) => {
        if (p < next) return;
        re.lastIndex = p;
        if (!re.test(text)) return;
        const end = re.lastIndex;
        next = end;
        const sc = typeof score === 'number' ? score : score(text.slice(p, end), text, p);
        if (sc > 0) emit(p, end, sc);
      };
      opts.before?.(text, g, at);
      eachStart(text, g, midWord, lead, at);
    },
  };
}
