// In-memory catalog reader for tests: documents go through the same schemas as the catalog service (defaults and
// all) and come back under the same rules, checked by the same contract suite (catalog/catalog-reader-contract.ts).
import { CatalogIndex } from '../catalog-index.js';
import { catalogSchemas, type CatalogDoc, type CatalogKind } from '../catalog-schema.js';

export class MemoryCatalog extends CatalogIndex {
  /** `docs` are parsed like an apply would; a document that the real catalog would reject throws here too. */
  constructor(docs: readonly unknown[] = []) {
    super();
    for (const d of docs) this.put(d);
  }

  /** Adds or replaces one document (by kind and name); returns it as stored. */
  put(doc: unknown): CatalogDoc {
    const kind = (doc as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || !(kind in catalogSchemas)) throw new Error(`unknown catalog kind ${String(kind)}`);
    const parsed = catalogSchemas[kind as CatalogKind].parse(doc) as CatalogDoc;
    this.set(parsed);
    return parsed;
  }

  remove(kind: CatalogKind, name: string): void {
    this.entries.delete(`${kind}/${name}`);
  }
}
