// The host side of ctx.data.query and ctx.data.sql: manifest scope (deny by default), one govern() decision per query
// (dataset, columns, purpose), the obligations applied (row limit, statement timeout, cost), and a value-free audit.
import { z } from 'zod';
import type { AppManifest } from '../apps/manifest-schema.js';
import type { CatalogReader, DatasetDoc } from '../catalog/catalog-schema.js';
import type { DatasetQuery } from '../connectors/dataset-query.js';
import { PolicyDeniedError, UnavailableError } from '../core/errors.js';
import type { Decision, GovernInput } from '../core/governance.js';
import { parseOrThrow } from '../core/validation.js';
import { declaredDataset } from '../policy/scope.js';
import { DataSql, type RunRef, type SqlSummary } from './data-sql.js';

const querySchema = z.object({ dataset: z.string().min(1), request: z.unknown() }).strict();
const sqlSchema = z
  .object({ dataset: z.string().min(1), sql: z.string().min(1).max(20_000), params: z.unknown().optional() })
  .strict();

export interface DataCallDeps {
  manifest: AppManifest['spec'];
  catalog: CatalogReader;
  datasets?: DatasetQuery;
  sql?: DataSql;
  defaultRowLimit: number;
  defaultTimeoutMs: number;
  /** The run, for per-run database roles on sources with runCredentials. */
  run?: RunRef;
  govern(
    action: GovernInput['action'],
    resource: GovernInput['resource'],
    request: Record<string, unknown>,
  ): Promise<Decision>;
  /** Records a finished query (never values): the caller links it to the run and decision. */
  audit(dataset: string, decision: Decision, summary: SqlSummary & { purpose: string }): Promise<void>;
  manifestDeny(message: string): never;
}

export interface DataCallResult {
  columns: string[];
  rows: Record<string, unknown>[];
  truncated: boolean;
}

/** The declared entry and catalog document of a dataset, and the columns the app may read (manifest ∩ catalog). */
function scope(deps: DataCallDeps, dataset: string) {
  const decl = declaredDataset(deps.manifest, dataset, 'read');
  if (!decl) deps.manifestDeny(`dataset '${dataset}' is not declared for read in the app manifest (spec.data)`);
  const doc = deps.catalog.dataset(dataset);
  if (!doc) throw new PolicyDeniedError(`dataset '${dataset}' is not in the catalog`, { policy: 'catalog' });
  const catalogCols = new Set(doc.spec.columns.map((c) => c.name));
  const allowed = decl.columns.filter((c) => catalogCols.has(c));
  return { decl, doc, allowed };
}

function limitsOf(deps: DataCallDeps, d: Decision) {
  const ob = d.obligations;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  return {
    rowLimit: Math.min(ob.rowLimit ?? deps.defaultRowLimit, deps.defaultRowLimit),
    timeoutMs: Math.min(num(ob.statementTimeoutMs) ?? deps.defaultTimeoutMs, deps.defaultTimeoutMs),
    maxQueryCost: num(ob.maxQueryCost),
  };
}

export async function dataQuery(deps: DataCallDeps, args: unknown): Promise<DataCallResult> {
  const { dataset, request } = parseOrThrow(querySchema, args, 'ctx.data.query arguments');
  const { decl, doc, allowed } = scope(deps, dataset);
  const cols = (request as { columns?: unknown } | undefined)?.columns;
  const columns = Array.isArray(cols) ? cols : allowed;
  const decision = await deps.govern(
    'data.query',
    { type: 'dataset', id: dataset },
    { columns, purpose: decl.purpose },
  );
  const limits = limitsOf(deps, decision);
  if (DataSql.handles(doc)) {
    const r = await sqlLayer(deps).query(doc, request, allowed, limits, deps.run);
    await deps.audit(dataset, decision, { ...r.summary, purpose: decl.purpose });
    return { columns: r.columns, rows: r.rows, truncated: r.truncated };
  }
  if (!deps.datasets) throw new UnavailableError('ctx.data.query is not wired on this server (no dataset layer)');
  return deps.datasets.query(doc, request, allowed, limits.rowLimit, masksOf(doc));
}

export async function dataSql(deps: DataCallDeps, args: unknown): Promise<DataCallResult> {
  const { dataset, sql, params } = parseOrThrow(sqlSchema, args, 'ctx.data.sql arguments');
  const { decl, doc, allowed } = scope(deps, dataset);
  const layer = sqlLayer(deps);
  // Guard first, so govern() sees the columns the statement really reads; a refusal never reaches the engine.
  const plan = layer.plan(doc, sql, allowed);
  const decision = await deps.govern(
    'data.query',
    { type: 'dataset', id: dataset },
    { columns: [...plan.columns], purpose: decl.purpose },
  );
  const r = await layer.sql(doc, sql, params, allowed, limitsOf(deps, decision), deps.run);
  await deps.audit(dataset, decision, { ...r.summary, purpose: decl.purpose });
  return { columns: r.columns, rows: r.rows, truncated: r.truncated };
}

function sqlLayer(deps: DataCallDeps): DataSql {
  if (!deps.sql) throw new UnavailableError('ctx.data.sql is not wired on this server (no DataSource layer)');
  return deps.sql;
}

function masksOf(doc: DatasetDoc) {
  return Object.fromEntries(doc.spec.columns.filter((c) => c.mask).map((c) => [c.name, c.mask!]));
}
