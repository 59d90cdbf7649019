// Catalog documents indexed by kind and name: the lookups and the sorted listing of the CatalogReader contract,
// shared by the catalog service (over what the store holds) and the in-memory test fake.
import type {
  CatalogDoc,
  CatalogKind,
  CatalogReader,
  ConnectorDoc,
  DatasetDoc,
  DataSourceDoc,
  DataSourceReader,
  ModelDoc,
  UserDoc,
} from './catalog-schema.js';

export class CatalogIndex implements CatalogReader, DataSourceReader {
  protected entries = new Map<string, CatalogDoc>();

  /** Adds or replaces one parsed document. */
  protected set(doc: CatalogDoc): void {
    this.entries.set(`${doc.kind}/${doc.metadata.name}`, doc);
  }

  protected get<K extends CatalogKind>(kind: K, name: string): Extract<CatalogDoc, { kind: K }> | undefined {
    return this.entries.get(`${kind}/${name}`) as Extract<CatalogDoc, { kind: K }> | undefined;
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
    return [...this.entries.values()]
      .filter((d): d is Extract<CatalogDoc, { kind: K }> => d.kind === kind)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }
}
