// PERSON and STREET_ADDRESS: no checksum exists, so lexicons, capitalization, titles, street suffixes and context.
import { regexRecognizer, type Emit, type Recognizer } from './recognizer.js';
import { foldLow, nameLexicon, type NameLexicon } from './name-lexicon.js';
import { PERSON_CONTEXT_INTL, STRONG_SURNAME_ENDING, SURNAME_ENDING } from './intl-names.js';

// Latin letters spelled out instead of \\p{Lu}/\\p{Ll} (the `u` flag made this regex 4x slower). The two classes
// must not overlap: a letter in both made TOKEN's nested repetition backtrack exponentially (`ĀāĀā…1`).
const latin = (re: RegExp) => {
  let out = '';
  for (let c = 0xc0; c <= 0x17f; c++)
    if (re.test(String.fromCharCode(c))) out += `\\u${c.toString(16).padStart(4, '0')}`;
  return out;
};
const UP_EXT = latin(/\p{Lu}/u);
const UP = `A-Z${UP_EXT}`;
const LO = `a-z${latin(/\p{Ll}/u)}`;
const TOKEN = `(?!(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Jr|Sr|I|II|III|IV|V|MD|DDS|PhD)\\b)[${UP}][${LO}]*(?:['’-]?[${UP}][${LO}]+)*`;
const SUFFIX = '(?:,?\\s+(?:Jr\\.?|Sr\\.?|I{1,3}|IV|V|MD|DDS|PhD|Esq\\.?))?';
// Title? then up to four capitalized tokens (an initial like `Q.` allowed in the middle).
// The left boundary is in the pattern (a lookbehind), not checked after the match: checked after, a run of
// hyphenated or apostrophed capitals (`Ab-Cd-Ef-…-G`) was matched from every capital to its end, quadratic time.
const CAP_SEQ = new RegExp(
  `(?<![${UP}${LO}@.'’\\-])(?:\\b|(?=[${UP_EXT}]))(?:(Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam|Mme|Herr|Frau)\\.?\\s+)?(${TOKEN}(?:[ \\t]+(?:[${UP}]\\.|${TOKEN})){0,3})(${SUFFIX})(?![${UP}${LO}\\d_@'’-])`,
  'g',
);

const isSentenceStart = (text: string, i: number): boolean => {
  let j = i - 1;
  while (j >= 0 && (text[j] === ' ' || text[j] === '\t' || text[j] === '"' || text[j] === '*')) j--;
  return j < 0 || '.!?\n:>#-'.includes(text[j]);
};

interface Tok {
  start: number;
  end: number;
  low: string;
}

/** A word the lexicon knows as nothing (not a name, not a common or function word): a given name it lacks. */
const unknownWord = (lex: NameLexicon, w: string): boolean =>
  w.length >= 3 && !lex.first.has(w) && !lex.last.has(w) && !lex.common.has(w) && !lex.stop.has(w);

function scoreName(low: string[], titled: boolean, lex: NameLexicon): number {
  const n = low.length;
  const first = lex.first.has(low[0]);
  const lastTok = low[n - 1];
  // A family-name ending (Kołodziejski, Axelsson, Pitkänen) counts only behind a known given name.
  const lastIsName =
    lex.last.has(lastTok) ||
    (n > 1 && lex.first.has(lastTok)) ||
    (n > 1 && first && lastTok.length >= 5 && SURNAME_ENDING.test(lastTok)) ||
    // Behind a given name the lexicon lacks, only the endings that are hardly anything but family names.
    (n === 2 && unknownWord(lex, low[0]) && STRONG_SURNAME_ENDING.test(lastTok));
  let stop = 0;
  let weak = 0;
  for (const w of low) {
    if (lex.first.has(w) || lex.last.has(w) || (w.length === 2 && w[1] === '.')) continue;
    if (lex.stop.has(w)) stop++;
    else if (lex.common.has(w)) weak++;
  }
  if (n === 1) {
    if (titled) return stop > 0 ? 0 : 0.85;
    if (stop + weak > 0) return 0;
    // A family name alone (`What's your last name? Lindqvist.`) needs a context word.
    return first ? 0.35 : lex.last.has(low[0]) ? 0.3 : 0;
  }
  const base = first && lastIsName ? 0.85 : first || lastIsName ? 0.65 : 0.3;
  return Math.max(0.05, (titled ? Math.max(base, 0.85) : base) - 0.5 * stop - 0.15 * weak);
}

/** The space/tab separated words of a match, lower-cased without a possessive `'s` (a hand loop: the regex
 *  split and replace per match were a hot spot). */
function splitTokens(names: string, base: number): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < names.length) {
    while (i < names.length && (names.charCodeAt(i) === 32 || names.charCodeAt(i) === 9)) i++;
    if (i >= names.length) break;
    const s = i;
    while (i < names.length && names.charCodeAt(i) !== 32 && names.charCodeAt(i) !== 9) i++;
    let low = names.slice(s, i).toLowerCase();
    const n = low.length;
    if (n >= 2 && low.charCodeAt(n - 1) === 115 && (low.charCodeAt(n - 2) === 39 || low.charCodeAt(n - 2) === 0x2019))
      low = low.slice(0, n - 2);
    toks.push({ start: base + s, end: base + i, low: foldLow(low) });
  }
  return toks;
}
const PARTICLE_TAIL = new RegExp(
  `(?:[ ](?:van|von|de|der|den|ten|ter|zu|dos|das|da|do|di|del|della|du|le|la)){1,3}[ ]([${UP}][${LO}]+(?:-[${UP}][${LO}]+)?)(?![${UP}${LO}\\d])`,
  'y',
);

/** A lower-case name particle and a capital after position i (` van Loon`, ` de Jong`): a cheap test first. */
function particleFollows(text: string, i: number): boolean {
  if (text.charCodeAt(i) !== 32 || !'vdtzl'.includes(text[i + 1] ?? '')) return false;
  PARTICLE_TAIL.lastIndex = i;
  return PARTICLE_TAIL.test(text);
}

/** The word answers a question or fills a label (`last name? Lindqvist`, `Surname: Lindqvist`). */
function answers(text: string, i: number): boolean {
  let j = i - 1;
  while (j >= 0 && (text[j] === ' ' || text[j] === '\t')) j--;
  return text[j] === '?' || text[j] === ':';
}

const isFirstTok = (lex: NameLexicon, t: Tok): boolean => lex.first.has(t.low);

function runPerson(text: string, emit: Emit): void {
  const lex = nameLexicon();
  CAP_SEQ.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CAP_SEQ.exec(text)) !== null) {
    const titled = m[1] !== undefined;
    const names = m[2];
    // Fast path for the most common match, one capitalized word: only a known first or family name, or a word
    // before a name particle (`Tijs van Loon`), can become a PERSON.
    if (!titled && m[3] === '' && names.indexOf(' ') === -1 && names.indexOf('\t') === -1) {
      const w = foldLow(names.toLowerCase());
      if (!lex.first.has(w) && !lex.last.has(w) && !particleFollows(text, m.index + m[0].length)) continue;
    }
    const base = m.index + m[0].length - names.length - m[3].length;
    const toks = splitTokens(names, base);
    let i0 = 0;
    let i1 = toks.length;
    // Drop leading and trailing function words ("Dear", "Thanks", "The") that capitalization swept in.
    while (!titled && i0 < i1 && lex.stop.has(toks[i0].low) && !isFirstTok(lex, toks[i0])) i0++;
    while (i1 - i0 > 1 && lex.stop.has(toks[i1 - 1].low) && !lex.last.has(toks[i1 - 1].low)) i1--;
    if (i0 >= i1) continue;
    // A common noun opening a sentence is capitalized by grammar, not because it is a name ("Traveler Ann Lee").
    const t0 = toks[i0];
    if (
      i1 - i0 > 1 &&
      !titled &&
      lex.common.has(t0.low) &&
      !isFirstTok(lex, t0) &&
      !lex.last.has(t0.low) &&
      isSentenceStart(text, t0.start)
    )
      i0++;
    if (
      i1 - i0 === 1 &&
      !titled &&
      !isFirstTok(lex, toks[i0]) &&
      isSentenceStart(text, toks[i0].start) &&
      !(lex.last.has(toks[i0].low) && answers(text, toks[i0].start))
    )
      continue;
    const low: string[] = [];
    for (let i = i0; i < i1; i++) low.push(toks[i].low);
    // `Isabella van Dijk`, `Jelte de Jong`: a lower-case particle and a capitalized word after a given name
    // finish the family name (the capitalized-sequence pattern stops at the particle).
    let particleEnd = 0;
    if (i1 === toks.length && !m[3] && (lex.first.has(low[0]) || (i1 - i0 === 1 && unknownWord(lex, low[0])))) {
      PARTICLE_TAIL.lastIndex = toks[i1 - 1].end;
      const pm = PARTICLE_TAIL.exec(text);
      if (pm) {
        particleEnd = pm.index + pm[0].length;
        low.push(pm[1].toLowerCase());
      }
    }
    const score = scoreName(low, titled, lex);
    if (score <= 0) continue;
    const start = toks[i0].start;
    let end = particleEnd || toks[i1 - 1].end;
    if (particleEnd) CAP_SEQ.lastIndex = particleEnd;
    if (m[3] && i1 === toks.length) end += m[3].length;
    if (text.charCodeAt(end) === 64 /* @ */) continue;
    emit(start, end, Math.min(score, 0.9));
  }
}

/** US street form (number, name, USPS suffix, unit, city/state/zip); intl-address-recognizer adds a postal tail. */
// USPS Publication 28 street suffixes (common subset) and their abbreviations.
const SUFFIXES =
  'Alley|Aly|Annex|Arcade|Avenue|Ave|Bayou|Beach|Bend|Bluffs?|Bottom|Boulevard|Blvd|Branch|Bridge|Brook|Brooks|Burgs?|Bypass|Camp|Canyon|Cape|Causeway|Center|Centers|Circles?|Cir|Cliffs?|Club|Common|Commons|Corners?|Course|Courts?|Ct|Coves?|Creek|Crescent|Crest|Crossing|Crossroad|Curve|Dale|Dam|Divide|Drives?|Dr|Estates?|Expressway|Expy|Extensions?|Falls?|Ferry|Fields?|Flats?|Ford|Fords|Forest|Forge|Forges|Fork|Forks|Fort|Freeway|Fwy|Gardens?|Gateway|Glen|Glens|Greens?|Groves?|Harbors?|Haven|Heights|Hts|Highway|Hwy|Hills?|Hollow|Inlet|Island|Islands|Isle|Junctions?|Keys?|Knolls?|Lakes?|Land|Landing|Lane|Ln|Light|Lights|Loaf|Locks?|Lodge|Loop|Mall|Manors?|Meadows?|Mews|Mill|Mills|Mission|Motorway|Mount|Mountains?|Neck|Orchard|Oval|Overpass|Park|Parks|Parkways?|Pkwy|Pass|Passage|Path|Pike|Pines?|Place|Pl|Plains?|Plaza|Points?|Ports?|Prairie|Radial|Ramp|Ranch|Rapids?|Rest|Ridges?|River|Road|Roads|Rd|Route|Row|Rue|Run|Shoals?|Shores?|Skyway|Springs?|Spurs?|Squares?|Sq|Station|Stravenue|Stream|Streets?|St|Summit|Terrace|Ter|Throughway|Trace|Track|Trafficway|Trail|Trl|Trailer|Tunnels?|Turnpike|Underpass|Unions?|Valleys?|Viaduct|Views?|Villages?|Ville|Vista|Walks?|Wall|Way|Ways|Wells?';
const DIR = '(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\\.?';
const NAME_WORD = "(?:[A-Z][a-zA-Z'’-]+|\\d+(?:st|nd|rd|th))";
const UNIT =
  '(?:,?\\s*(?:Apt\\.?|Apartment|Suite|Ste\\.?|Unit|#|Floor|Fl\\.?|Bldg\\.?|Room|Rm\\.?)\\s*#?[A-Za-z0-9-]{1,6})';
const STATE =
  '(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY])';
const CITY_STATE_ZIP = `(?:,?\\s+[A-Z][a-zA-Z]+(?:[ -][A-Z][a-zA-Z]+){0,2},\\s*(?:${STATE}|[A-Z][a-z]+(?: [A-Z][a-z]+)?)(?:\\s+\\d{5}(?:-\\d{4})?)?)`;
export const STREET = new RegExp(
  `(?<![\\w.-])\\d{1,6}[A-Z]?(?:-\\d{1,4})?\\s+(?:${DIR}\\s+)?${NAME_WORD}(?:\\s+${NAME_WORD}){0,3}?\\s+(?:${SUFFIXES}|Broadway)\\b\\.?(?:\\s+${DIR}(?![\\w]))?${UNIT}?${CITY_STATE_ZIP}?`,
  'g',
);

export function nameRecognizers(): Recognizer[] {
  nameLexicon();
  return [
    {
      name: 'person',
      entity: 'PERSON',
      run: runPerson,
      gate: (f) => f.upper,
      context: [
        'name',
        'my name is',
        'holder',
        'cardholder',
        'recipient',
        'payee',
        'applicant',
        'traveler',
        'traveller',
        'member',
        'reply to',
        'spoke to',
        'married',
        'husband',
        'wife',
        'son',
        'daughter',
        'dear',
        'hi',
        'hello',
        'mr',
        'ms',
        'mrs',
        'signed',
        'regards',
        'sincerely',
        'customer',
        'patient',
        'employee',
        'contact',
        'from',
        'by',
        'author',
        'user',
        'thanks',
        'attn',
        'called',
        'named',
        'spoke with',
        'assigned to',
        'owner',
        'cc',
        'i am',
        "i'm",
        'this is',
        // People nouns and greetings/name labels of the corpus languages (as `hi`, `dear`, `customer` above).
        'tenant',
        'guest',
        'passenger',
        'resident',
        'client',
        'surname',
        ...PERSON_CONTEXT_INTL,
      ],
      contextBoost: 0.35,
      maxScore: 0.9,
    },
    // Above PERSON's cap (0.9) so `12 Evie Plains` is an address, not a person named Evie Plains.
    regexRecognizer('street_address', 'STREET_ADDRESS', STREET, 0.95, {
      minDigits: 1,
      context: [
        'address',
        'live at',
        'lives at',
        'located at',
        'ship to',
        'shipping',
        'billing',
        'mailing',
        'street',
        'residence',
        'deliver',
        'moved to',
      ],
      contextBoost: 0.1,
    }),
    regexRecognizer('po_box', 'STREET_ADDRESS', /\bP\.?\s?O\.?\s*Box\s+\d{1,6}\b/gi, 0.7, { minDigits: 1 }),
  ];
}
