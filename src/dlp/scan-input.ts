// The shared candidate pass: one walk over the text that finds every digit-bearing group (card, phone, id, date,
// IBAN... candidates) and every capitalized word (PERSON, address candidates), so recognizers only see candidates.

/** A run of digit-bearing ASCII words joined by up to three of ` \t-./():` (`+44 (0)20 7123-4567`, `DE89 3704`). */
export interface NumericGroup {
  start: number;
  end: number;
  /** Digits in the whole group. */
  digits: number;
  /** [start, end) of each word, flattened: [s0, e0, s1, e1, ...]. */
  pieces: number[];
  /** Where a value may begin, in text order: word starts as p, digit runs inside a word (`ab123`) as -(p + 1). */
  starts: number[];
}

/** A word that starts with an upper-case Latin letter and holds no digit (`Zoltán`, `O'Brien`, `USA`, `Mr`). */
export interface CapWord {
  start: number;
  end: number;
}

export interface ScanInput {
  readonly text: string;
  /** The text lower-cased with the same offsets, or undefined where lower-casing changes offsets. */
  lower(): string | undefined;
  readonly groups: readonly NumericGroup[];
  readonly caps: readonly CapWord[];
}

// Character classes over UTF-16 code units below 0x250 (ASCII, Latin-1, Latin Extended-A and -B).
export const C_DIGIT = 1;
export const C_UPPER = 2;
export const C_LOWER = 4;
/** Letters outside ASCII (upper or lower case also set). */
export const C_EXT = 8;
/** Characters that may join the words of a numeric group. */
export const C_JOIN = 16;

export const CLASS = new Uint8Array(0x250);
for (let c = 48; c <= 57; c++) CLASS[c] = C_DIGIT;
for (let c = 65; c <= 90; c++) CLASS[c] = C_UPPER;
for (let c = 97; c <= 122; c++) CLASS[c] = C_LOWER;
for (let c = 0xc0; c < 0x250; c++) {
  const ch = String.fromCharCode(c);
  if (/\p{Lu}/u.test(ch)) CLASS[c] = C_UPPER | C_EXT;
  else if (/\p{Ll}/u.test(ch)) CLASS[c] = C_LOWER | C_EXT;
}
for (const ch of ' \t-./():') CLASS[ch.charCodeAt(0)] = C_JOIN;

export const cls = (c: number): number => (c < 0x250 ? CLASS[c] : 0);
const isAsciiAlnum = (c: number): boolean => c < 128 && (CLASS[c] & (C_DIGIT | C_UPPER | C_LOWER)) !== 0;
/** Letters of any case from the Latin blocks above. */
export const isLetter = (c: number): boolean => c < 0x250 && (CLASS[c] & (C_UPPER | C_LOWER)) !== 0;

let upperSet = '';
for (let c = 0xc0; c < 0x250; c++) if (CLASS[c] & C_UPPER) upperSet += `\\u${c.toString(16).padStart(4, '0')}`;
/** Upper-case letters of the Latin blocks, as a regex class body. */
export const UPPER_CLASS = `A-Z${upperSet}`;
/** Where a candidate can begin: a digit or an upper-case letter. Native regex skipping is what keeps prose fast. */
const HIT = new RegExp(`[0-9${UPPER_CLASS}]`, 'g');

const isWordJoin = (c: number): boolean => c === 39 || c === 0x2019 || c === 45; // ' ’ -

/** Builds the numeric group whose first word starts at `s`; returns it (end at the last digit-bearing word). */
function numericGroup(text: string, s: number): NumericGroup {
  const n = text.length;
  const pieces: number[] = [];
  const starts: number[] = [];
  let digits = 0;
  let pos = s;
  for (;;) {
    let e = pos;
    let d = 0;
    let prevDigit = true; // the word start is recorded as such, not as a digit run
    starts.push(pos);
    while (e < n) {
      const c = text.charCodeAt(e);
      if (!isAsciiAlnum(c)) break;
      if (c <= 57) {
        if (!prevDigit) starts.push(-(e + 1));
        prevDigit = true;
        d++;
      } else prevDigit = false;
      e++;
    }
    pieces.push(pos, e);
    digits += d;
    let j = e;
    while (j < n && j - e < 3 && text.charCodeAt(j) < 0x250 && CLASS[text.charCodeAt(j)] === C_JOIN) j++;
    if (j === e || j >= n || !isAsciiAlnum(text.charCodeAt(j))) break;
    let k = j;
    let has = false;
    while (k < n) {
      const c = text.charCodeAt(k);
      if (!isAsciiAlnum(c)) break;
      if (c >= 48 && c <= 57) has = true;
      k++;
    }
    if (!has) break;
    pos = j;
  }
  return { start: s, end: pieces[pieces.length - 1], digits, pieces, starts };
}

/** One pass over `text`: numeric groups and capitalized words, in text order. */
export function candidatePass(text: string): { groups: NumericGroup[]; caps: CapWord[] } {
  const groups: NumericGroup[] = [];
  const caps: CapWord[] = [];
  const n = text.length;
  HIT.lastIndex = 0;
  while (HIT.test(text)) {
    const i = HIT.lastIndex - 1;
    // The start of the word the hit is in (letters of any case, digits).
    let s = i;
    while (s > 0) {
      const c = text.charCodeAt(s - 1);
      if (c >= 0x250 || (CLASS[c] & (C_DIGIT | C_UPPER | C_LOWER)) === 0) break;
      s--;
    }
    // The end of the word and whether it holds a digit.
    let e = i;
    let digit = false;
    while (e < n) {
      const c = text.charCodeAt(e);
      if (c < 0x250 && (CLASS[c] & (C_DIGIT | C_UPPER | C_LOWER)) !== 0) {
        if (c >= 48 && c <= 57) digit = true;
        e++;
      } else if (isWordJoin(c) && !digit && e + 1 < n && isLetter(text.charCodeAt(e + 1))) e++;
      else break;
    }
    if (digit) {
      // Digit-bearing: the ASCII word around the hit starts the group (`DE89`, `tw987654a`, `+44`).
      let a = i;
      while (a > 0 && isAsciiAlnum(text.charCodeAt(a - 1))) a--;
      while (a < i && !isAsciiAlnum(text.charCodeAt(a))) a++;
      const g = numericGroup(text, a);
      groups.push(g);
      HIT.lastIndex = Math.max(g.end, i + 1);
    } else {
      if (s === i && (CLASS[text.charCodeAt(i)] & C_UPPER) !== 0) caps.push({ start: s, end: e });
      HIT.lastIndex = Math.max(e, i + 1);
    }
  }
  return { groups, caps };
}

/** Lower-cases once per scan: the same matches as `/i` on the original unless lower-casing changes the length
 *  (U+0130) or maps a non-ASCII letter to ASCII (U+212A KELVIN SIGN); then undefined and `/i` forms are used. */
export function lowerForMatching(text: string): string | undefined {
  const lower = text.toLowerCase();
  return lower.length === text.length && !text.includes('\u212a') ? lower : undefined;
}

export function createScanInput(text: string): ScanInput {
  const { groups, caps } = candidatePass(text);
  let lowerDone = false;
  let lower: string | undefined;
  return {
    text,
    groups,
    caps,
    lower() {
      if (!lowerDone) {
        lower = lowerForMatching(text);
        lowerDone = true;
      }
      return lower;
    },
  };
}

/** Calls `at` for each place in `g` where a value may begin, in text order: word starts, digit runs inside words
 *  when `midWord` (`ab123`), and one or two characters before a word when they are `+` or `(` and `lead` is set. */
export function eachStart(
  text: string,
  g: NumericGroup,
  midWord: boolean,
  lead: boolean,
  at: (p: number) => void,
): void {
  for (const v of g.starts) {
    if (v < 0) {
      if (midWord) at(-v - 1);
      continue;
    }
    if (lead && v > 0) {
      const c1 = text.charCodeAt(v - 1);
      if (c1 === 43 || c1 === 40) {
        const c2 = v > 1 ? text.charCodeAt(v - 2) : 0;
        if (c2 === 43 || c2 === 40) at(v - 2);
        at(v - 1);
      }
    }
    at(v);
  }
}
