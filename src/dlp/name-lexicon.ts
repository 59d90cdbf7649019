// First names, surnames and common words for PERSON detection, taken from compromise's lexicon (no model weights).
import nlp from 'compromise/two';
import { INTL_GIVEN, INTL_GREETINGS } from './intl-names.js';

export interface NameLexicon {
  first: Set<string>;
  last: Set<string>;
  /** Lower-case words the lexicon knows as something other than a name or a proper noun (verbs, adjectives, months...). */
  common: Set<string>;
  /** Function words, greetings, months and the like: never part of a name, stripped from the edges of a candidate. */
  stop: Set<string>;
}

const STOP_TAGS = new Set([
  'Determiner',
  'Pronoun',
  'Preposition',
  'Conjunction',
  'Expression',
  'Modal',
  'Copula',
  'QuestionWord',
  'Possessive',
  'Reflexive',
  'Negative',
  'Adverb',
  'WeekDay',
  'Month',
  'Date',
  'Duration',
  'Cardinal',
  'Ordinal',
  'TextValue',
  'Value',
  'Unit',
  'Currency',
  'Condition',
  'Imperative',
]);

// Places and organisations are often surnames too (Hudson, Carleton): neither name evidence nor evidence against.
const PROPER_TAGS = new Set([
  'City',
  'Place',
  'Region',
  'Country',
  'Organization',
  'ProperNoun',
  'SportsTeam',
  'Demonym',
]);

let cached: NameLexicon | undefined;

const NAME_TAGS = new Set(['FirstName', 'MaleName', 'FemaleName', 'LastName', 'Person']);

// Words the lexicon lacks that start sentences or headers in LLM traffic and are never names on their own.
const EXTRA_COMMON = `hi hello hey dear thanks thank regards best cheers please note subject re fwd from to cc bcc
attn sincerely team user assistant system customer client patient employee manager support admin mr mrs ms dr prof
sir madam street avenue road lane drive court suite apt unit report payment invoice order account project meeting
summary total name address phone email date status error warning info debug true false null yes no ok okay sure
here there this that these those the a an and or but if then when while for with without about into onto over under
monday tuesday wednesday thursday friday saturday sunday january february march april june july august september
october november december`.split(/\s+/);

const NON_ASCII = /[^ -~]/;
const MARKS = /[\u0300-\u036f]/g;
/** Lower-case word without diacritics (`josé` → `jose`), so accented names meet the ASCII lexicon; `ł`, `ø`, `ß`
 *  have no decomposition and stay. ASCII words come back unchanged without work. */
export const foldLow = (w: string): string => (NON_ASCII.test(w) ? w.normalize('NFD').replace(MARKS, '') : w);

export function nameLexicon(): NameLexicon {
  if (cached) return cached;
  const model = (nlp as unknown as { model(): { one: { lexicon: Record<string, string | string[]> } } }).model();
  const first = new Set<string>();
  const last = new Set<string>();
  const common = new Set<string>(EXTRA_COMMON);
  const stop = new Set<string>(EXTRA_COMMON);
  for (const [word, tag] of Object.entries(model.one.lexicon)) {
    if (word.includes(' ')) continue;
    const tags = Array.isArray(tag) ? tag : [tag];
    if (tags.includes('LastName')) last.add(word);
    else if (tags.some((t) => NAME_TAGS.has(t))) first.add(word);
    else if (!tags.some((t) => PROPER_TAGS.has(t))) {
      common.add(word);
      if (tags.some((t) => STOP_TAGS.has(t))) stop.add(word);
    }
  }
  for (const w of INTL_GIVEN) {
    first.add(foldLow(w));
  }
  for (const w of INTL_GREETINGS) {
    common.add(foldLow(w));
    stop.add(foldLow(w));
  }
  for (const w of EXTRA_COMMON) first.delete(w);
  for (const w of INTL_GREETINGS) first.delete(foldLow(w));
  cached = { first, last, common, stop };
  return cached;
}
