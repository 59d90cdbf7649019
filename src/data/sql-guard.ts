// The query guard behind ctx.data.sql: parses one SELECT with a real parser for the source's dialect, refuses anything
// but a read of the dataset's declared columns, and rewrites it so the engine applies the row limit and the masking.
import nodeSqlParser from 'node-sql-parser';
import type { MaskKind } from '../catalog/catalog-schema.js';
import { PolicyDeniedError } from '../core/errors.js';
import { maskExpression, quoteIdent, type SqlDialect } from './masking.js';
import { fastGuard } from './sql-fast-path.js';

const { Parser } = nodeSqlParser;
const PARSER_DB: Record<SqlDialect, string> = { postgres: 'postgresql', mysql: 'mariadb', sqlite: 'sqlite' };
const MAX_SQL = 20_000;

/** Pure functions only: no sleeps, no file or network access, no session or catalog introspection. */
const FUNCTIONS = new Set(
  (
    'lower upper length char_length character_length trim ltrim rtrim substr substring replace concat coalesce ' +
    'nullif abs round floor ceil ceiling greatest least date_trunc extract date year month day to_char left right ' +
    'cast strftime ifnull if'
  ).split(' '),
);
const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max']);
const CAST_TYPES = new Set(
  'int integer bigint smallint numeric decimal real float double text varchar char date timestamp boolean signed unsigned'.split(
    ' ',
  ),
);
/** Node types that change data or the session; refused wherever they appear. */
const FORBIDDEN_TYPES = new Set(
  'insert update delete replace create drop alter truncate grant revoke call set use transaction lock unlock exec'.split(
    ' ',
  ),
);
const SYSTEM_SCHEMAS = /^(information_schema|pg_catalog|pg_toast|mysql|performance_schema|sys|sqlite_\w+|pg_\w+)$/i;

export interface GuardRequest {
  sql: string;
  /** The dataset's table or view, and its qualified form for the shadow view (already quoted). */
  table: string;
  qualifiedTable: string;
  /** Columns the app may read (manifest ∩ catalog), with their masks. */
  allowed: readonly string[];
  masks: Readonly<Record<string, MaskKind>>;
  rowLimit: number;
  tokenKey: string;
}

export interface GuardedQuery {
  /** What the engine runs: the shadow view, then the normalized query with the limit applied. */
  sql: string;
  /** The normalized query as the parser printed it (for the audit hash). */
  normalized: string;
  /** Declared columns the query references (or all of them for *). */
  columns: readonly string[];
  masked: readonly string[];
}

type Node = Record<string, unknown>;

function refuse(why: string): never {
  throw new PolicyDeniedError(`ctx.data.sql refused: ${why}`, { policy: 'sql-guard' });
}

export class SqlGuard {
  private readonly parser = new Parser();
  /** Accepted statements by request: apps send the same parameterized SQL again and again, and parsing is the cost. */
  private readonly cache = new Map<string, GuardedQuery>();

  /**
   * @param cacheSize how many accepted statements to remember (0 turns the cache off).
   * @param fastPath recognize the common query shape without the parser (off only to compare the two).
   */
  constructor(
    readonly dialect: SqlDialect,
    private readonly cacheSize = 1000,
    private readonly fastPath = true,
  ) {}

  check(req: GuardRequest): GuardedQuery {
    const key = JSON.stringify([
      req.sql,
      req.table,
      req.qualifiedTable,
      req.allowed,
      req.masks,
      req.rowLimit,
      req.tokenKey,
    ]);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const checked = this.checkUncached(req);
    const out = Object.freeze({
      ...checked,
      columns: Object.freeze([...checked.columns]),
      masked: Object.freeze([...checked.masked]),
    });
    if (this.cacheSize > 0) {
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, out);
    }
    return out;
  }

  private checkUncached(req: GuardRequest): GuardedQuery {
    this.lexicalChecks(req.sql);
    const masked = req.allowed.filter((c) => req.masks[c]);
    // The common shape skips the parser (its cost dominates the guard); the fast path prints the same normalized SQL.
    const fast = this.fastPath ? fastGuard(this.dialect, { ...req, maxLimit: req.rowLimit + 1 }) : undefined;
    if (fast) return { sql: `WITH ${this.shadowView(req)} ${fast.normalized}`, ...fast, masked };
    let parsed: unknown;
    try {
      parsed = this.parser.astify(req.sql, { database: PARSER_DB[this.dialect] });
    } catch (err) {
      refuse(`the ${this.dialect} parser cannot read it (${(err as Error).message.split('\n')[0].slice(0, 160)})`);
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    if (list.length !== 1) refuse('send exactly one statement');
    const ast = list[0] as Node;
    if (ast.type !== 'select') refuse(`only SELECT is allowed, not ${String(ast.type).toUpperCase()}`);
    const walk = new Walk(req, this.dialect);
    walk.select(ast, true);
    this.applyLimit(ast, req.rowLimit + 1);
    const normalized = this.parser.sqlify(ast as never, { database: PARSER_DB[this.dialect] });
    const shadow = this.shadowView(req);
    const sql = /^WITH /i.test(normalized) ? `WITH ${shadow}, ${normalized.slice(5)}` : `WITH ${shadow} ${normalized}`;
    return { sql, normalized, columns: [...walk.used], masked };
  }

  /** Refusals before parsing: things a parser and the engine might read differently. */
  private lexicalChecks(sql: string): void {
    if (sql.length > MAX_SQL) refuse(`the statement is longer than ${MAX_SQL} characters`);
    if (/[^\t\n\r\x20-\x7e]/.test(sql))
      refuse('it contains non-ASCII or control characters; pass such values as parameters');
    if (/--|\/\*|\*\/|#/.test(sql)) refuse('comments are not allowed');
    if (sql.includes('\\')) refuse('backslashes are not allowed; pass such values as parameters');
    if (/\$(?!\d)/.test(sql)) refuse('dollar quoting is not allowed; use $1, $2 placeholders for values');
    if (/;\s*\S/.test(sql)) refuse('send exactly one statement');
  }

  private applyLimit(ast: Node, max: number): void {
    const limit = ast.limit as { seperator: string; value: Node[] } | null | undefined;
    const values = limit?.value ?? [];
    const at = limit?.seperator === ',' ? 1 : 0;
    const current = values[at];
    if (current && current.type !== 'number') refuse('LIMIT must be a number, not a parameter or expression');
    const n = current ? Math.min(Number(current.value), max) : max;
    const next = [...values];
    next[at] = { type: 'number', value: n };
    ast.limit = { seperator: limit?.seperator ?? '', value: next };
  }

  /** A CTE named like the table: every reference in the query reads only declared columns, masked. */
  private shadowView(req: GuardRequest): string {
    const q = (id: string) => quoteIdent(this.dialect, id);
    const cols = req.allowed.map((c) => {
      const kind = req.masks[c];
      return kind ? `${maskExpression(this.dialect, kind, q(c), req.tokenKey)} AS ${q(c)}` : q(c);
    });
    return `${q(req.table)} AS (SELECT ${cols.join(', ')} FROM ${req.qualifiedTable})`;
  }
}

/** Visits one query tree: tables, columns, functions, casts; canonicalizes names it accepts. */
class Walk {
  readonly used = new Set<string>();
  private readonly allowed: Map<string, string>;
  private readonly names = new Set<string>();
  private readonly ctes = new Set<string>();

  constructor(
    private readonly req: GuardRequest,
    private readonly dialect: SqlDialect,
  ) {
    this.allowed = new Map(req.allowed.map((c) => [c.toLowerCase(), c]));
  }

  select(ast: Node, top: boolean): void {
    if (ast._next || ast.set_op) refuse('UNION, INTERSECT and EXCEPT are not supported; send one SELECT');
    const into = ast.into as Node | null | undefined;
    if (into && (into.position || into.expr)) refuse('SELECT INTO writes; only reads are allowed');
    if (ast.locking_read || ast.for_update) refuse('FOR UPDATE/SHARE takes locks; only plain reads are allowed');
    for (const cte of (ast.with as Node[] | null) ?? []) {
      if (cte.recursive) refuse('recursive CTEs are not allowed');
      const stmt = ((cte.stmt as Node).ast ?? cte.stmt) as Node;
      if (stmt.type !== 'select') refuse(`a CTE may only SELECT, not ${String(stmt.type).toUpperCase()}`);
      const name = identName(cte.name).toLowerCase();
      if (name === this.req.table.toLowerCase()) refuse(`a CTE may not be named like the dataset table '${name}'`);
      this.select(stmt, false);
      this.ctes.add(name);
    }
    for (const c of (ast.columns as Node[] | null) ?? [])
      if (typeof c.as === 'string') this.names.add(c.as.toLowerCase());
    for (const f of (ast.from as Node[] | null) ?? []) this.from(f);
    for (const [k, v] of Object.entries(ast)) if (k !== 'with' && k !== 'from' && k !== 'into') this.visit(v);
    void top;
  }

  private from(f: Node): void {
    if (f.expr) {
      const sub = ((f.expr as Node).ast ?? f.expr) as Node;
      if (sub.type === 'select') this.select(sub, false);
      else this.visit(sub);
    } else if (typeof f.table === 'string') {
      const schema = (f.db ?? f.schema) as string | null | undefined;
      if (schema) {
        if (SYSTEM_SCHEMAS.test(schema)) refuse(`system catalog '${schema}' is not readable by apps`);
        refuse(`write the table without a schema ('${f.table}', not '${schema}.${f.table}')`);
      }
      const t = f.table.toLowerCase();
      if (SYSTEM_SCHEMAS.test(t)) refuse(`system table '${f.table}' is not readable by apps`);
      if (t === this.req.table.toLowerCase()) f.table = this.req.table;
      else if (!this.ctes.has(t))
        refuse(`table '${f.table}' is not this dataset's table '${this.req.table}' (declare it as a dataset)`);
    } else refuse('unsupported FROM item');
    if (typeof f.as === 'string') this.names.add(f.as.toLowerCase());
    this.visit(f.on);
    this.visit(f.using);
  }

  private visit(v: unknown): void {
    if (Array.isArray(v)) {
      for (const x of v) this.visit(x);
      return;
    }
    if (!v || typeof v !== 'object') return;
    const n = v as Node;
    const type = typeof n.type === 'string' ? n.type.toLowerCase() : undefined;
    if (type && FORBIDDEN_TYPES.has(type)) refuse(`${type.toUpperCase()} is not allowed; only reads`);
    if (n.ast && typeof n.ast === 'object') return this.subquery(n.ast as Node);
    if (type === 'select') return this.subquery(n);
    if (type === 'column_ref') return this.column(n);
    if (type === 'function') this.fn(identName(n.name), false);
    if (type === 'aggr_func') this.fn(String(n.name), true);
    if (type === 'cast') this.cast(n);
    // SQLite's parser reads "x" as a string where the engine reads a column: check it as a column too.
    if (type === 'double_quote_string' && this.dialect === 'sqlite') this.column({ column: String(n.value) });
    if (type === 'var' && n.prefix !== '$') refuse('variables are not allowed; use $1 or ? placeholders');
    for (const x of Object.values(n)) if (x && typeof x === 'object') this.visit(x);
  }

  private subquery(ast: Node): void {
    if (ast.type !== 'select') refuse(`a subquery may only SELECT, not ${String(ast.type).toUpperCase()}`);
    this.select(ast, false);
  }

  private column(n: Node): void {
    const raw = identName(n.column);
    if (raw === '*') {
      for (const c of this.allowed.values()) this.used.add(c);
      return;
    }
    const key = raw.toLowerCase();
    const canonical = this.allowed.get(key);
    if (canonical) {
      this.used.add(canonical);
      setIdentName(n, canonical);
    } else if (!this.names.has(key) && !this.ctes.has(key))
      refuse(`column '${raw}' is not declared for this app (allowed: ${[...this.allowed.values()].join(', ')})`);
    if (typeof n.table === 'string' && SYSTEM_SCHEMAS.test(n.table)) refuse(`system catalog '${n.table}'`);
  }

  private fn(name: string, aggregate: boolean): void {
    const lower = name.toLowerCase();
    if (lower.includes('.')) refuse(`schema-qualified function '${name}' is not allowed`);
    if (!(aggregate ? AGGREGATES : FUNCTIONS).has(lower))
      refuse(`function '${name}' is not on the guard's list of side-effect-free functions`);
  }

  private cast(n: Node): void {
    for (const t of (n.target as Node[] | undefined) ?? []) {
      const dt = String(t.dataType ?? '').toLowerCase();
      if (!CAST_TYPES.has(dt)) refuse(`cast to '${dt}' is not allowed`);
    }
  }
}

/** Names appear as strings, { expr: { value } } or { name: [{ value }] } depending on dialect. */
function identName(v: unknown): string {
  if (typeof v === 'string') return v;
  if (!v || typeof v !== 'object') return '';
  const n = v as Node;
  if (Array.isArray(n.name)) return (n.name as Node[]).map((p) => String(p.value)).join('.');
  if (n.expr) return identName(n.expr);
  if (n.value !== undefined) return String(n.value);
  return '';
}

function setIdentName(n: Node, name: string): void {
  if (typeof n.column === 'string') n.column = name;
  else n.column = { expr: { type: 'default', value: name } };
}
