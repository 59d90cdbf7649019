// The built-in NER backend: the lexicon and rule recognizers (PERSON, STREET_ADDRESS) behind the NerBackend contract.
import type { Finding, ScanOptions } from '../types.js';
import type { NerBackend, NerSpan } from './ner-backend.js';

/** `scan` is the engine's rule scan; the backend asks it only for the name and address types. */
export function createRulesNerBackend(scan: (text: string, options: ScanOptions) => Finding[]): NerBackend {
  const entities = ['PERSON', 'STREET_ADDRESS'] as const;
  return {
    name: 'ner:rules',
    entities,
    analyze(text) {
      const spans: NerSpan[] = scan(text, { entities }).map((f) => ({
        type: f.type as NerSpan['type'],
        start: f.start,
        end: f.end,
        score: f.score,
      }));
      return Promise.resolve(spans);
    },
  };
}
