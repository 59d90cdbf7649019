// First names, surnames and common words for PERSON detection, taken from compromise's lexicon (no model weights).
import nlp from 'compromise/two';

export interface NameLexicon {
  first: Set<string>;
  last: Set<string>;
  /** Lower-case words the lexicon knows as something other than a name (verbs, adjectives, places, months...). */
  common: Set<string>;
}

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

export function nameLexicon(): NameLexicon {
  if (cached) return cached;
  const model = (nlp as unknown as { model(): { one: { lexicon: Record<string, string | string[]> } } }).model();
  const first = new Set<string>();
  const last = new Set<string>();
  const common = new Set<string>(EXTRA_COMMON);
  for (const [word, tag] of Object.entries(model.one.lexicon)) {
    if (word.includes(' ')) continue;
    const tags = Array.isArray(tag) ? tag : [tag];
    if (tags.includes('LastName')) last.add(word);
    else if (tags.some((t) => NAME_TAGS.has(t))) first.add(word);
    else common.add(word);
  }
  for (const w of EXTRA_COMMON) first.delete(w);
  cached = { first, last, common };
  return cached;
}
