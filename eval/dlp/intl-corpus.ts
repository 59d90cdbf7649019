// Seeded multi-locale corpus: labeled samples from the TUNE or TEST template pool over 13 faker locales, plus hard negatives.
import type { Pool, Sample, Span } from './corpus.js';
import { INTL_NEGATIVES, INTL_TEST, INTL_TUNE } from './intl-templates.js';
import { intlNegatives, intlValues, localeFakers } from './intl-values.js';

/** How many times the TEST pool was generated in this process (the closing note reports it). */
export const testPoolReads = { count: 0 };

export function generateIntlCorpus(
  pool: Pool,
  { positives = 2600, negatives = 1300, seed = pool === 'tune' ? 101 : 202 } = {},
): Sample[] {
  if (pool === 'test') testPoolReads.count++;
  const lfs = localeFakers(seed);
  const templates = pool === 'tune' ? INTL_TUNE : INTL_TEST;
  const out: Sample[] = [];
  for (let i = 0; i < positives; i++) {
    const lf = lfs[i % lfs.length];
    const vals = intlValues(lf);
    const tpl = templates[Math.floor(i / lfs.length) % templates.length];
    let text = '';
    const spans: Span[] = [];
    let pos = 0;
    for (const m of tpl.matchAll(/\{([A-Z_]+)\}/g)) {
      text += tpl.slice(pos, m.index);
      pos = m.index + m[0].length;
      const v = vals[m[1]]();
      spans.push({ type: m[1], start: text.length, end: text.length + v.length });
      text += v;
    }
    text += tpl.slice(pos);
    out.push({ id: `${pool}-${lf.locale}-p${i}`, text, spans });
  }
  for (let i = 0; i < negatives; i++) {
    const lf = lfs[i % lfs.length];
    const negs = intlNegatives(lf);
    const kinds = Object.keys(negs);
    const kind = kinds[Math.floor(i / lfs.length) % kinds.length];
    const tpl = lf.f.helpers.arrayElement(INTL_NEGATIVES);
    out.push({ id: `${pool}-${lf.locale}-n${i}`, text: tpl.replace('{NEG}', negs[kind]()), spans: [], negative: kind });
  }
  return out;
}
