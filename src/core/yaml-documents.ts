// Parses multi-document YAML strictly, naming the source and line of any syntax error.
import { parseAllDocuments } from 'yaml';
import { InvalidInputError } from './errors.js';

export interface SourcedDocument {
  /** e.g. `catalog.yaml#2` (1-based document index). */
  source: string;
  value: unknown;
}

export function parseYamlDocuments(text: string, sourceName: string): SourcedDocument[] {
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  const out: SourcedDocument[] = [];
  let i = 0;
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    i++;
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line;
      throw new InvalidInputError(
        `${sourceName}${line ? `:${line}` : ''}: malformed YAML in document ${i}: ${err.message.split('\n')[0]}`,
        [{ path: `${sourceName}#${i}`, message: err.message.split('\n')[0] }],
      );
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue; // empty document between separators
    out.push({ source: `${sourceName}#${i}`, value });
  }
  return out;
}
