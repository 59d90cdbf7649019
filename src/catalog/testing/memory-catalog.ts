// In-memory catalog reader for tests: documents go through the same schemas as the catalog service (defaults and
// all) and come back under the same rules, checked by the same contract suite (catalog/catalog-reader-contract.ts).
import {
  catalogSchemas,
  type CatalogDoc,
  type CatalogKind,
  type CatalogReader,
  type DataSourceReader,
  type ConnectorDoc,
  type DatasetDoc,
  type DataSourceDoc,
  type ModelDoc,
  type UserDoc,
} from '../catalog-schema.js';

export class MemoryCatalog implements CatalogReader, DataSourceReader {
  private readonly docs = new Map<string, CatalogDoc>();

  /** `docs` are parsed like an apply would; a document that the real catalog would reject throws here too. */
  constructor(docs: readonly unknown[] = []) {
    for (const d of docs) this.put(d);
  }

  /** Adds or replaces one document (by kind and name); returns it as stored. */
  put(doc: unknown): CatalogDoc {
    const kind = (doc as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || !(kind in catalogSchemas)) throw new Error(`unknown catalog kind ${String(kind)}`);
    const parsed = catalogSchemas[kind as CatalogKind].parse(doc) as CatalogDoc;
    this.docs.set(`${parsed.kind}/${parsed.metadata.name}`, parsed);
    return parsed;
  }

  remove(kind: CatalogKind, name: string): void {
    this.docs.delete(`${kind}/${name}`);
  }

  private get<K extends CatalogKind>(kind: K, name: string): Extract<CatalogDoc, { kind: K }> | undefined {
    return this.docs.get(`${kind}/${name}`) as Extract<CatalogDoc, { kind: K }> | undefined;
  }
  dataset(name: string): DatasetDoc | undefined {
    return this.get('Dataset', name);
  }
  connector(name: string): ConnectorDoc | undefined {
    return this.get('Connector', name);
  }
  model(name: string): ModelDoc | undefined {
    return this.get('Model', name);
  }
  user(name: string): UserDoc | undefined {
    return this.get('User', name);
  }
  dataSource(name: string): DataSourceDoc | undefined {
    return this.get('DataSource', name);
  }
  list<K extends CatalogKind>(kind: K): Extract<CatalogDoc, { kind: K }>[] {
    return [...this.docs.values()]
      .filter((d): d is Extract<CatalogDoc, { kind: K }> => d.kind === kind)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }
}
