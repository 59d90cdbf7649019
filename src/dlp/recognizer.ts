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
}

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
