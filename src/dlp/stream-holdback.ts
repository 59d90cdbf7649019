// Adaptive hold-back for the stream scanner: how much of the tail could still become (part of) a finding.
import { nameLexicon } from './name-lexicon.js';

/** Characters after a value that its context words may come from (the engine's AFTER window). */
export const AFTER_CONTEXT = 24;

const isSpace = (c: number): boolean =>
  c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
// Upper-case Latin letters; every Latin-1/Extended-A letter counts (holding a little more is the safe side).
const isUpper = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0x17f && c !== 0xd7 && c !== 0xf7);
const isLetterOrDigit = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 0xc0;

/** Lower-case words that sit inside multi-word values: `5th of March 1990`, `x 204` (extension), `p.o. box 12`. */
const CONNECTORS = new Set(['of', 'x', 'ext', 'ext.', 'p.o.', 'po', 'p.', 'o.', 'box', 'p.o']);

/** What a whitespace-delimited token holds. Segments are split at punctuation other than `'’-` (a JSON line
 *  `{"name":"Ann` is one token whose last segment is a name). */
interface TokenInfo {
  digit: boolean;
  /** Some segment starts with a capital letter. */
  cap: boolean;
  /** Some capitalized segment is a known first name or surname. */
  name: boolean;
  letters: boolean;
}

const isWordChar = (c: number): boolean => isLetterOrDigit(c) || c === 39 || c === 0x2019 || c === 45;

function tokenInfo(text: string, s: number, e: number): TokenInfo {
  const info: TokenInfo = { digit: false, cap: false, name: false, letters: false };
  let seg = -1;
  for (let i = s; i <= e; i++) {
    const c = i < e ? text.charCodeAt(i) : 32;
    if (i < e && isWordChar(c)) {
      if (seg < 0) {
        seg = i;
        if (isUpper(c)) info.cap = true;
      }
      if (isDigit(c)) info.digit = true;
      else if (c !== 39 && c !== 0x2019 && c !== 45) info.letters = true;
      continue;
    }
    if (seg >= 0 && isUpper(text.charCodeAt(seg)) && !info.name) {
      const lex = nameLexicon();
      const w = text
        .slice(seg, i)
        .toLowerCase()
        .replace(/[’']s$/, '');
      if (lex.first.has(w) || lex.last.has(w)) info.name = true;
    }
    seg = -1;
  }
  return info;
}

/** A token that may be one piece of a value spanning several whitespace-separated tokens (card groups,
 *  phone parts, IBAN groups, a name, an address, a date, a PEM header). */
function chainable(text: string, s: number, e: number): boolean {
  const t = tokenInfo(text, s, e);
  // Punctuation-only pieces (`-`, `(`, `+`, `#`) join phone and card parts.
  if (t.cap || t.digit || !t.letters) return true;
  if (text.startsWith('-----', s)) return true;
  return e - s <= 5 && CONNECTORS.has(text.slice(s, e).toLowerCase());
}

/** A finished token whose score may still rise with context words that arrive after it: digits (weak SSN,
 *  bare phone, passport, licence, date) and capitalized words that are known names or stand next to another
 *  capitalized word (a PERSON candidate below the threshold without context). */
function contextSensitive(text: string, s: number, e: number, prevCap: boolean, nextCap: boolean): boolean {
  const t = tokenInfo(text, s, e);
  return t.digit || (t.cap && (prevCap || nextCap || t.name));
}

const capitalized = (text: string, s: number, e: number): boolean => tokenInfo(text, s, e).cap;

/**
 * The earliest offset (>= from) of the tail that must stay held: everything before it cannot become part of a
 * finding, or change one, whatever text follows. Held: the last token if no whitespace ends it yet (it may
 * grow), the chain of tokens before it that could join it into one value, and tokens within AFTER_CONTEXT
 * characters of the end whose score a later context word could still raise.
 */
export function holdStart(text: string, from: number): number {
  const n = text.length;
  // Tokens from the end back to `from`, as [start, end) pairs (newest first), stopping once far enough back.
  const toks: number[] = [];
  let i = n;
  while (i > from) {
    while (i > from && isSpace(text.charCodeAt(i - 1))) i--;
    if (i <= from) break;
    const e = i;
    while (i > from && !isSpace(text.charCodeAt(i - 1))) i--;
    toks.push(i, e);
    if (e < n - AFTER_CONTEXT && !chainable(text, i, e)) break;
  }
  let h = n;
  const count = toks.length / 2;
  if (count === 0) return n;
  // The last token still grows when nothing follows it.
  if (toks[1] === n) h = toks[0];
  // After-context: finished tokens near the end whose score may still change.
  for (let k = 0; k < count; k++) {
    const s = toks[2 * k];
    const e = toks[2 * k + 1];
    if (e < n - AFTER_CONTEXT) break;
    const prevCap = k + 1 < count && capitalized(text, toks[2 * k + 2], toks[2 * k + 3]);
    const nextCap = k > 0 && capitalized(text, toks[2 * k - 2], toks[2 * k - 1]);
    if (contextSensitive(text, s, e, prevCap, nextCap)) h = Math.min(h, s);
  }
  // The chain: walk back from the earliest held token (or the end) over tokens that could join it.
  for (let k = 0; k < count; k++) {
    const s = toks[2 * k];
    const e = toks[2 * k + 1];
    if (e > h) continue; // at or after h: already held
    if (e < h && !onlySpaceBetween(text, e, h)) break;
    if (!chainable(text, s, e)) break;
    h = s;
  }
  return Math.max(from, h);
}

function onlySpaceBetween(text: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) if (!isSpace(text.charCodeAt(i))) return false;
  return true;
}

/** A token that can be one group of a value with digits: it has a digit (`4111`, `DE89`, `(555)`), or is short
 *  punctuation (`-`, `+`) or a connector (`ext`, `box`, `p.o.`). */
function numberGroup(text: string, s: number, e: number): boolean {
  let letters = false;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) return true;
    if (isLetterOrDigit(c)) letters = true;
  }
  return letters ? e - s <= 5 && CONNECTORS.has(text.slice(s, e).toLowerCase()) : e - s <= 2;
}

/**
 * Where a bounded hold (time or size) may cut: only a value still being completed stays held, i.e. the last token
 * when nothing ends it yet (it may grow) and the run of number groups before it (`4111 1111 1111`, `+1 555 010`),
 * at most `maxRun` characters back. Everything before is final text (names and context words are released).
 */
export function valueRunStart(text: string, from: number, maxRun: number): number {
  const n = text.length;
  let h = n;
  if (n > from && !isSpace(text.charCodeAt(n - 1))) while (h > from && !isSpace(text.charCodeAt(h - 1))) h--;
  for (;;) {
    let e = h;
    while (e > from && isSpace(text.charCodeAt(e - 1))) e--;
    let s = e;
    while (s > from && !isSpace(text.charCodeAt(s - 1))) s--;
    if (s === e || n - s > maxRun || !numberGroup(text, s, e)) break;
    // The unfinished last token joins the run only when it is a number group itself.
    if (h === n || numberGroup(text, h, n)) h = s;
    else break;
  }
  return Math.max(from, Math.min(h, n));
}
