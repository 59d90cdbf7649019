// The catalog: validates and stores Dataset/Connector/Model/User documents and serves them from memory.
import { InvalidInputError, type ErrorDetail } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import { contentHash } from '../core/hash.js';
import { issuesToDetails } from '../core/validation.js';
import { didYouMean } from '../core/suggest.js';
import type { SourcedDocument } from '../core/yaml-documents.js';
import type { AuditSink } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import type { Logger } from '../core/logger.js';
import { startReconcileLoop, type ReconcileLoop } from '../coord/reconcile-loop.js';
import type { SqlDb } from '../store/sql-db.js';
import { CatalogIndex } from './catalog-index.js';
import {
  CATALOG_KINDS,
  catalogSchemas,
  type CatalogDoc,
  type CatalogKind,
  type CatalogReader,
} from './catalog-schema.js';

export interface ApplyOutcome {
  kind: CatalogKind;
  name: string;
  action: 'created' | 'updated' | 'unchanged';
}

const CHANNEL = 'gatehouse.catalog';

export class CatalogService extends CatalogIndex implements CatalogReader {
  private unsubscribe?: () => Promise<void>;
  private reconciler?: ReconcileLoop;

  constructor(
    private readonly deps: {
      db: SqlDb;
      clock: Clock;
      audit: AuditSink;
      coord: Coordination;
      logger?: Logger;
      /** Re-reads the store on this timer, so a replica that missed a broadcast (Redis away) converges. */
      reconcileMs?: number;
    },
  ) {
    super();
  }

  /** Loads the cache and follows changes applied by other replicas. */
  async start(): Promise<void> {
    await this.reload();
    this.reconciler = startReconcileLoop({
      everyMs: this.deps.reconcileMs ?? 5000,
      run: () => this.reload(),
      component: 'catalog-reconcile',
      failure: 'catalog not reconciled from the store',
      logger: this.deps.logger,
    });
    this.unsubscribe = await this.deps.coord.subscribe(CHANNEL, () => {
      // A failed follow-up load keeps the last good cache (the store may be down); the next change loads again.
      this.reload().catch((err: unknown) =>
        this.deps.logger?.warn('catalog reload after a change failed; serving the previous catalog', {
          error: err instanceof Error ? err.message : String(err),
        }),
      );
    });
  }

  /** Stops following other replicas' changes. */
  async stop(): Promise<void> {
    this.reconciler?.stop();
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  async reload(): Promise<void> {
    const rows = await this.deps.db.all<{ kind: string; name: string; doc: string }>(
      'SELECT kind, name, doc FROM catalog_entries',
    );
    const next = new Map<string, CatalogDoc>();
    for (const r of rows) next.set(`${r.kind}/${r.name}`, JSON.parse(r.doc) as CatalogDoc);
    this.entries = next;
  }

  names(kind: CatalogKind): string[] {
    return this.list(kind).map((d) => d.metadata.name);
  }

  /** Validates every document (all or nothing); throws InvalidInputError listing each problem with its document and field. */
  validate(docs: readonly SourcedDocument[]): CatalogDoc[] {
    const details: ErrorDetail[] = [];
    const valid: CatalogDoc[] = [];
    const seen = new Set<string>();
    for (const d of docs) {
      const kind = (d.value as { kind?: unknown } | null)?.kind;
      if (typeof d.value !== 'object' || d.value === null || Array.isArray(d.value)) {
        details.push({
          path: d.source,
          message: 'a catalog document must be a mapping with apiVersion, kind, metadata and spec',
        });
        continue;
      }
      if (typeof kind !== 'string' || !(CATALOG_KINDS as string[]).includes(kind)) {
        details.push({
          path: `${d.source}.kind`,
          message: `unknown kind ${JSON.stringify(kind)}; use one of ${CATALOG_KINDS.join(', ')}`,
        });
        continue;
      }
      const r = catalogSchemas[kind as CatalogKind].safeParse(d.value);
      if (!r.success) {
        details.push(...issuesToDetails(r.error, `${d.source} (${kind})`));
        continue;
      }
      const key = `${r.data.kind}/${r.data.metadata.name}`;
      if (seen.has(key)) details.push({ path: d.source, message: `${key} appears twice in this apply` });
      seen.add(key);
      valid.push(r.data);
    }
    const users = new Set([
      ...this.names('User'),
      ...valid.filter((v) => v.kind === 'User').map((v) => v.metadata.name),
    ]);
    const sources = new Set([
      ...this.names('DataSource'),
      ...valid.filter((v) => v.kind === 'DataSource').map((v) => v.metadata.name),
    ]);
    for (const v of valid) {
      const src = v.kind === 'Dataset' ? v.spec.source : undefined;
      if (src && 'dataSource' in src && !sources.has(src.dataSource))
        details.push({
          path: `Dataset/${v.metadata.name}.spec.source.dataSource`,
          message: `unknown DataSource '${src.dataSource}' (${didYouMean(src.dataSource, sources)}); apply it first or in the same file`,
        });
      if (v.kind === 'TrustPolicy' && !users.has(v.spec.actAs.user))
        details.push({
          path: `TrustPolicy/${v.metadata.name}.spec.actAs.user`,
          message: `unknown user '${v.spec.actAs.user}' (${didYouMean(v.spec.actAs.user, users)}); apply the User first or in the same file`,
        });
      const owner = v.metadata.owner;
      if ((v.kind === 'Dataset' || v.kind === 'Connector' || v.kind === 'DataSource') && owner && !users.has(owner)) {
        details.push({
          path: `${v.kind}/${v.metadata.name}.metadata.owner`,
          message: `unknown user '${owner}' (${didYouMean(owner, users)}); apply the User first or in the same file`,
        });
      }
    }
    if (details.length)
      throw new InvalidInputError(
        `Catalog rejected, nothing was stored: ${details[0].path}: ${details[0].message}`,
        details,
      );
    return valid;
  }

  /** Stores validated documents in one transaction; idempotent (unchanged documents are left alone). */
  async apply(docs: readonly SourcedDocument[], actor: string): Promise<ApplyOutcome[]> {
    const valid = this.validate(docs);
    const now = this.deps.clock.now();
    const outcomes = await this.deps.db.transaction(async (tx) => {
      const out: ApplyOutcome[] = [];
      for (const doc of valid) {
        const hash = contentHash(doc);
        const prev = await tx.get<{ hash: string }>('SELECT hash FROM catalog_entries WHERE kind = ? AND name = ?', [
          doc.kind,
          doc.metadata.name,
        ]);
        if (prev?.hash === hash) {
          out.push({ kind: doc.kind, name: doc.metadata.name, action: 'unchanged' });
          continue;
        }
        if (prev)
          await tx.run(
            'UPDATE catalog_entries SET doc = ?, hash = ?, updated_at = ?, updated_by = ? WHERE kind = ? AND name = ?',
            [JSON.stringify(doc), hash, now, actor, doc.kind, doc.metadata.name],
          );
        else
          await tx.run(
            'INSERT INTO catalog_entries (kind, name, doc, hash, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)',
            [doc.kind, doc.metadata.name, JSON.stringify(doc), hash, now, actor],
          );
        out.push({ kind: doc.kind, name: doc.metadata.name, action: prev ? 'updated' : 'created' });
      }
      return out;
    });
    const changed = outcomes.filter((o) => o.action !== 'unchanged');
    if (changed.length) {
      await this.reload();
      await this.deps.coord.publish(CHANNEL, 'changed');
      for (const o of changed) {
        const doc = this.get(o.kind, o.name);
        await this.deps.audit.append({
          type: 'catalog.changed',
          actor,
          data: { kind: o.kind, name: o.name, action: o.action, hash: contentHash(doc) },
        });
      }
    }
    return outcomes;
  }
}
