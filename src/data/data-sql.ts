// ctx.data.sql and ctx.data.query over DataSource-backed datasets: guard, cost check, run, and a value-free audit
// summary (normalized SQL fingerprint, row count, masked columns, duration).
import type { DatasetDoc, MaskKind } from '../catalog/catalog-schema.js';
import { InvalidInputError, LimitExceededError, PolicyDeniedError, UnavailableError } from '../core/errors.js';
import { dataQueryRequestSchema } from '../connectors/dataset-query.js';
import { parseOrThrow } from '../core/validation.js';
import type { DataSources } from './data-sources.js';
import { quoteIdent, sqlFingerprint, type SqlDialect } from './masking.js';
import { SqlGuard, type GuardedQuery } from './sql-guard.js';
import type { SqlEngine } from './sql-engine.js';
import type { RunLogin } from './run-credentials.js';

/** The run a query belongs to, for per-run database roles. */
export interface RunRef {
  runId: string;
  /** When the run's capabilities stop working (epoch ms): the role's VALID UNTIL. */
  expiresAt: number;
}

export interface SqlLimits {
  rowLimit: number;
  timeoutMs: number;
  /** Refuse plans whose EXPLAIN estimate is above this (the source's maxQueryCost or a policy obligation). */
  maxQueryCost?: number;
}

export interface SqlSummary {
  sqlHash: string;
  columns: string[];
  maskedColumns: string[];
  rowCount: number;
  durationMs: number;
  cost?: number;
  /** The per-run database user the query ran as (run credentials): the audit's "used". */
  runUser?: string;
}

export interface DataSqlResult {
  columns: string[];
  rows: Record<string, unknown>[];
  truncated: boolean;
  summary: SqlSummary;
}

const MAX_PARAMS = 100;

export class DataSql {
  private readonly guards = new Map<SqlDialect, SqlGuard>();
  /** Logins issued per run: run id -> (source/dataset -> login). */
  private readonly runLogins = new Map<string, Map<string, Promise<RunLogin>>>();

  constructor(
    private readonly sources: DataSources,
    private readonly keys: { tokenKey: string; auditKey: string },
  ) {}

  /** True when the dataset reads from a catalog DataSource (else ctx.data.query uses its file source). */
  static handles(doc: DatasetDoc): boolean {
    const s = doc.spec.source;
    return !!s && 'dataSource' in s;
  }

  /** Guards the SQL without running it: which declared columns it reads (what govern() sees). */
  plan(doc: DatasetDoc, sql: string, allowed: readonly string[]): GuardedQuery {
    const { engine, table } = this.target(doc);
    return this.guard(engine.dialect).check(this.guardRequest(doc, engine, table, sql, allowed, 1));
  }

  async sql(
    doc: DatasetDoc,
    sql: string,
    rawParams: unknown,
    allowed: readonly string[],
    limits: SqlLimits,
    run?: RunRef,
  ): Promise<DataSqlResult> {
    const params = parseParams(rawParams);
    const { engine, table, maxQueryCost } = this.target(doc);
    const t0 = performance.now();
    const g = this.guard(engine.dialect).check(this.guardRequest(doc, engine, table, sql, allowed, limits.rowLimit));
    const costLimit = minDefined(limits.maxQueryCost, maxQueryCost);
    let cost: number | undefined;
    if (costLimit !== undefined) {
      cost = await engine.explainCost(g.sql, params);
      if (cost !== undefined && cost > costLimit)
        throw new LimitExceededError(
          `the query's estimated cost ${Math.round(cost)} is above maxQueryCost ${costLimit} for dataset '${doc.metadata.name}'; add a selective WHERE or a LIMIT`,
          60,
        );
    }
    const as = run ? await this.runLogin(doc, engine, allowed, run) : undefined;
    const rows = await engine.run(g.sql, params, { timeoutMs: limits.timeoutMs, maxRows: limits.rowLimit + 1, as });
    const truncated = rows.length > limits.rowLimit;
    const out = rows.slice(0, limits.rowLimit);
    const columns = out[0] ? Object.keys(out[0]) : [];
    return {
      columns,
      rows: out,
      truncated,
      summary: {
        sqlHash: sqlFingerprint(g.normalized, this.keys.auditKey),
        columns: [...g.columns],
        maskedColumns: g.masked.filter((c) => g.columns.includes(c)),
        rowCount: out.length,
        durationMs: Math.round((performance.now() - t0) * 100) / 100,
        cost,
        ...(as ? { runUser: as.user } : {}),
      },
    };
  }

  /** ctx.data.query's structured request as guarded SQL: projection, equality filters, limit. */
  async query(doc: DatasetDoc, rawRequest: unknown, allowed: readonly string[], limits: SqlLimits, run?: RunRef) {
    const req = parseOrThrow(dataQueryRequestSchema, rawRequest ?? {}, 'ctx.data.query request');
    const { engine, table } = this.target(doc);
    const d = engine.dialect;
    const q = (c: string) => quoteIdent(d, c);
    const cols = req.columns ?? [...allowed];
    if (cols.length === 0) throw new InvalidInputError('ask for at least one column (request.columns)');
    for (const c of [...cols, ...Object.keys(req.where ?? {})])
      if (!allowed.includes(c))
        throw new PolicyDeniedError(
          `column '${c}' of dataset '${doc.metadata.name}' is not declared in the app manifest (spec.data[].columns); allowed: ${allowed.join(', ') || 'none'}`,
        );
    const where = Object.entries(req.where ?? {});
    const params: unknown[] = [];
    const cond = where.map(([k, v]) => {
      if (v === null) return `${q(k)} IS NULL`;
      params.push(typeof v === 'boolean' ? Number(v) : v);
      return `${q(k)} = ${d === 'postgres' ? `$${params.length}` : '?'}`;
    });
    const sql = `SELECT ${cols.map(q).join(', ')} FROM ${q(table)}${cond.length ? ` WHERE ${cond.join(' AND ')}` : ''}${req.limit ? ` LIMIT ${req.limit}` : ''}`;
    return this.sql(doc, sql, params, allowed, limits, run);
  }

  /** The run's login for this dataset on a source with runCredentials (issued on first use), else undefined. */
  private async runLogin(doc: DatasetDoc, engine: SqlEngine, allowed: readonly string[], run: RunRef) {
    const s = doc.spec.source;
    if (!s || !('dataSource' in s)) return undefined;
    const creds = this.sources.runCredentials(s.dataSource);
    if (!creds) return undefined;
    let logins = this.runLogins.get(run.runId);
    if (!logins) this.runLogins.set(run.runId, (logins = new Map()));
    const key = `${s.dataSource}/${doc.metadata.name}`;
    let login = logins.get(key);
    if (!login) {
      const grant = {
        runId: run.runId,
        dataset: doc.metadata.name,
        schema: engine.schema,
        table: s.table,
        columns: allowed,
      };
      login = creds.issue({ ...grant, expiresAt: run.expiresAt });
      logins.set(key, login);
    }
    return login;
  }

  /** The database users a run holds now (for operators and tests). */
  async runUsers(runId: string): Promise<string[]> {
    const logins = [...(this.runLogins.get(runId)?.values() ?? [])];
    const settled = await Promise.all(logins.map((l) => l.then((x) => x.user).catch(() => undefined)));
    return settled.filter((u): u is string => !!u);
  }

  /** Drops the logins a run used (its end); the sweeper catches what a crash leaves. */
  async endRun(runId: string): Promise<void> {
    const logins = this.runLogins.get(runId);
    if (!logins) return;
    this.runLogins.delete(runId);
    for (const [key, login] of logins) {
      const source = key.split('/')[0];
      const user = await login.then((l) => l.user).catch(() => undefined);
      if (!user) continue;
      await this.sources
        .engine(source)
        .forget(user)
        .catch(() => undefined);
      await this.sources
        .runCredentials(source)
        ?.drop(user)
        .catch(() => undefined);
    }
  }

  private target(doc: DatasetDoc): { engine: SqlEngine; table: string; maxQueryCost?: number } {
    const s = doc.spec.source;
    if (!s || !('dataSource' in s))
      throw new UnavailableError(
        `dataset '${doc.metadata.name}' has no spec.source.dataSource, so SQL cannot reach it`,
      );
    const engine = this.sources.engine(s.dataSource);
    return { engine, table: s.table, maxQueryCost: this.sources.doc(s.dataSource).spec.maxQueryCost };
  }

  private guard(d: SqlDialect): SqlGuard {
    let g = this.guards.get(d);
    if (!g) this.guards.set(d, (g = new SqlGuard(d)));
    return g;
  }

  private guardRequest(
    doc: DatasetDoc,
    engine: SqlEngine,
    table: string,
    sql: string,
    allowed: readonly string[],
    rowLimit: number,
  ) {
    if (typeof sql !== 'string' || !sql.trim())
      throw new InvalidInputError('ctx.data.sql needs a SELECT statement (sql)');
    const masks: Record<string, MaskKind> = {};
    for (const c of doc.spec.columns) if (c.mask) masks[c.name] = c.mask;
    return {
      sql,
      table,
      qualifiedTable: engine.qualify(table),
      allowed,
      masks,
      rowLimit,
      tokenKey: this.keys.tokenKey,
    };
  }
}

function parseParams(raw: unknown): unknown[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.length > MAX_PARAMS)
    throw new InvalidInputError(`ctx.data.sql params must be an array of at most ${MAX_PARAMS} values`);
  for (const [i, p] of raw.entries()) {
    if (p !== null && !['string', 'number', 'boolean'].includes(typeof p))
      throw new InvalidInputError(`ctx.data.sql params[${i}] must be a string, number, boolean or null`);
  }
  return raw.map((p) => (typeof p === 'boolean' ? Number(p) : p));
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
