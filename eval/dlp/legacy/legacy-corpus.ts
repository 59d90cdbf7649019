// The eval corpus generator as it was before issue 19 (frozen copy, seeded): the texts the legacy figures came from.
import { makeFakers, negativeGenerators, valueGenerators } from './legacy-values.js';
import { NEGATIVE_TEMPLATES, TEST_TEMPLATES, TUNE_TEMPLATES } from './legacy-templates.js';

export interface Span {
  type: string;
  start: number;
  end: number;
}

export interface Sample {
  id: string;
  text: string;
  spans: Span[];
  /** For hard negatives: which kind of look-alike. */
  negative?: string;
}

export type Pool = 'tune' | 'test';

export function generateLegacyCorpus(
  pool: Pool,
  { positives = 2000, negatives = 1000, seed = pool === 'tune' ? 11 : 29 } = {},
): Sample[] {
  const fk = makeFakers(seed);
  const f = fk.us;
  const gens = valueGenerators(fk);
  const negs = negativeGenerators(fk);
  const templates = pool === 'tune' ? TUNE_TEMPLATES : TEST_TEMPLATES;
  const negKinds = Object.keys(negs);
  const out: Sample[] = [];
  const fill = (tpl: string, negKind?: string): Omit<Sample, 'id'> => {
    let text = '';
    const spans: Span[] = [];
    const re = /\{([A-Z_]+)\}/g;
    let pos = 0;
    let m: RegExpExecArray | null;
    const kind = negKind ?? f.helpers.arrayElement(negKinds);
    while ((m = re.exec(tpl)) !== null) {
      text += tpl.slice(pos, m.index);
      pos = m.index + m[0].length;
      if (m[1] === 'NEG') {
        text += negs[kind]();
        continue;
      }
      const value = f.helpers.arrayElement(gens[m[1]])();
      spans.push({ type: m[1], start: text.length, end: text.length + value.length });
      text += value;
    }
    text += tpl.slice(pos);
    return { text, spans };
  };
  for (let i = 0; i < positives; i++) out.push({ id: `${pool}-p${i}`, ...fill(templates[i % templates.length]) });
  for (let i = 0; i < negatives; i++) {
    const kind = negKinds[i % negKinds.length];
    out.push({ id: `${pool}-n${i}`, ...fill(f.helpers.arrayElement(NEGATIVE_TEMPLATES), kind), negative: kind });
  }
  return out;
}
