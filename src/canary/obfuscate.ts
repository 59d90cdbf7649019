// Obfuscated canary copies of a dataset's table: every column tagged pii/regulated (or with a recognised fake kind) gets
// format-preserving fakes from a per-copy random key that is never stored, untagged columns and the row count stay as
// they are. The copy is a SQLite file under GATEHOUSE_HOME that canary runs read through the same query path.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import type { DatasetDoc } from '../catalog/catalog-schema.js';
import { InvalidInputError, UnavailableError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { DataSources } from '../data/data-sources.js';
import { pathUnderHome } from '../data/data-sources.js';
import { dateShiftDays, fakeValue, kindOf, shiftDate, type FakeKind } from './fakes.js';

export type Row = Record<string, unknown>;
export interface ColumnPlan {
  name: string;
  /** undefined: copied as is. */
  kind?: FakeKind;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SENSITIVE_TAGS = new Set(['pii', 'regulated']);

/** Which columns get fakes and of which kind: the ones tagged pii/regulated, or tagged with a fake kind. */
export function planColumns(doc: DatasetDoc, names: readonly string[], rows: readonly Row[]): ColumnPlan[] {
  const tags = new Map(doc.spec.columns.map((c) => [c.name, c.tags]));
  return names.map((name) => {
    const t = tags.get(name) ?? [];
    const sample = rows.slice(0, 50).map((r) => r[name]);
    const kind = kindOf(name, t, sample);
    const sensitive = t.some((x) => SENSITIVE_TAGS.has(x)) || (t.length > 0 && kind !== 'text');
    return sensitive ? { name, kind } : { name };
  });
}

/** Identifier kinds, in the order the row's entity (for consistent date shifts) is taken from. */
const ENTITY_KINDS: FakeKind[] = ['ssn', 'email', 'name', 'card', 'iban', 'phone'];

/** Replaces the planned columns of every row with fakes under `key`; pure, rows are copied. */
export function obfuscateRows(plan: readonly ColumnPlan[], rows: readonly Row[], key: Buffer): Row[] {
  const entityCol =
    ENTITY_KINDS.map((k) => plan.find((c) => c.kind === k)?.name).find((n) => n !== undefined) ??
    plan.find((c) => /(^|_)id$/i.test(c.name))?.name;
  const memo = new Map<string, string>();
  const fake = (kind: FakeKind, v: unknown): unknown => {
    if (v === null || v === undefined) return v;
    const s = String(v);
    const k = `${kind}\u0000${s}`;
    let out = memo.get(k);
    if (out === undefined) {
      out = fakeValue(kind, s, key);
      memo.set(k, out);
    }
    return typeof v === 'number' && /^-?\d+$/.test(out) ? Number(out) : out;
  };
  return rows.map((row, i) => {
    const out: Row = { ...row };
    const entity = entityCol !== undefined ? `${entityCol}=${String(row[entityCol])}` : `row ${i}`;
    for (const c of plan) {
      if (!c.kind) continue;
      const v = row[c.name];
      if (c.kind === 'date') {
        const shifted = shiftDate(v, dateShiftDays(key, entity));
        out[c.name] = shifted !== undefined ? shifted : fake('text', v);
      } else out[c.name] = fake(c.kind, v);
    }
    return out;
  });
}

export interface TableData {
  columns: string[];
  rows: Row[];
}

/** Every row of a dataset's table: a SQLite or CSV file, or a table of a catalog DataSource (read-only engine). */
export async function readDatasetTable(doc: DatasetDoc, home: string, sources?: DataSources): Promise<TableData> {
  const name = doc.metadata.name;
  const s = doc.spec.source;
  if (!s)
    throw new InvalidInputError(`dataset '${name}' has no spec.source to copy`, [
      { path: 'spec.source', message: 'required' },
    ]);
  if ('path' in s) {
    const path = pathUnderHome(home, s.path, name);
    if (s.kind === 'csv') {
      const rows = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Row[];
      return { columns: Object.keys(rows[0] ?? {}), rows };
    }
    const table = s.table ?? name;
    if (!IDENT.test(table)) throw new InvalidInputError(`table '${table}' is not a plain SQL identifier`);
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const stmt = db.prepare(`SELECT * FROM "${table}"`);
      return { columns: stmt.columns().map((c) => c.name), rows: stmt.all() as Row[] };
    } finally {
      db.close();
    }
  }
  if (!sources) throw new UnavailableError(`dataset '${name}' reads a DataSource and no data layer is wired`);
  const engine = sources.engine(s.dataSource);
  const rows = await engine.run(`SELECT * FROM ${engine.qualify(s.table)}`, [], {
    timeoutMs: 300_000,
    maxRows: Number.MAX_SAFE_INTEGER,
  });
  return { columns: Object.keys(rows[0] ?? {}), rows };
}

/** Writes rows as one table of a new SQLite file (replacing a file of that name). */
export function writeSqliteTable(path: string, table: string, data: TableData): void {
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    const cols = data.columns.map((c) => `"${c.replace(/"/g, '""')}"`);
    db.exec(`CREATE TABLE "${table}" (${cols.join(', ')})`);
    const ins = db.prepare(`INSERT INTO "${table}" VALUES (${cols.map(() => '?').join(', ')})`);
    const norm = (v: unknown) =>
      typeof v === 'boolean' ? Number(v) : v instanceof Date ? v.toISOString() : (v ?? null);
    db.transaction(() => {
      for (const r of data.rows) ins.run(...data.columns.map((c) => norm(r[c])));
    })();
  } finally {
    db.close();
  }
}

export interface CanaryCopy {
  copyId: string;
  dataset: string;
  /** Relative to GATEHOUSE_HOME. */
  path: string;
  table: string;
  rows: number;
  columns: ColumnPlan[];
  /** The dataset document canary runs read instead of the original (same columns, tags and masks). */
  doc: DatasetDoc;
  /** The temporary data source serving the copy (a copy of a DataSource-backed dataset, while a replay reads it). */
  source?: string;
}

/**
 * Only the columns the Dataset declares (and so a reviewer tagged) go into a copy: an undeclared column has no tags,
 * so it would be written to disk as it is; apps cannot read it anyway (the query guard allows declared columns only).
 */
function declaredOnly(doc: DatasetDoc, data: TableData): TableData {
  const declared = new Set(doc.spec.columns.map((c) => c.name));
  const columns = data.columns.filter((c) => declared.has(c));
  if (columns.length === 0)
    throw new InvalidInputError(
      `dataset '${doc.metadata.name}' declares none of its table's columns, so there is nothing to copy; list them in spec.columns with their tags`,
      [{ path: 'spec.columns', message: 'no declared column in the table' }],
    );
  return { columns, rows: data.rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]]))) };
}

/**
 * Produces an obfuscated copy of a dataset: a fresh 32-byte key per copy, used for this copy only and dropped when the
 * function returns, so nobody (the server included) can map a fake back to its original.
 */
export async function obfuscateDataset(
  doc: DatasetDoc,
  opts: { home: string; sources?: DataSources; now: number },
): Promise<CanaryCopy> {
  const data = declaredOnly(doc, await readDatasetTable(doc, opts.home, opts.sources));
  const plan = planColumns(doc, data.columns, data.rows);
  const rows = obfuscateRows(plan, data.rows, randomBytes(32));
  const copyId = newId('cpy', opts.now);
  // The original's table name where it has one, so SQL written against the original reads the copy unchanged.
  const src = doc.spec.source;
  const table = [src?.table, doc.metadata.name.replace(/[-.]/g, '_')].find((t) => t && IDENT.test(t)) ?? 'data';
  const full = join(opts.home, 'canary-data', `${doc.metadata.name}-${copyId}.db`);
  writeSqliteTable(full, table, { columns: data.columns, rows });
  const path = relative(opts.home, full);
  return {
    copyId,
    dataset: doc.metadata.name,
    path,
    table,
    rows: rows.length,
    columns: plan,
    doc: { ...doc, spec: { ...doc.spec, source: { kind: 'sqlite', path, table } } },
  };
}
