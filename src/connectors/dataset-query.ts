// The dataset query layer behind ctx.data.query: reads a catalog dataset's SQLite or CSV source, projecting only
// permitted columns, filtering by equality on permitted columns, and never returning more than the row limit.
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import type { DatasetDoc, MaskKind } from '../catalog/catalog-schema.js';
import { maskValue } from '../data/masking.js';
import { InvalidInputError, PolicyDeniedError, UnavailableError } from '../core/errors.js';
import { parseOrThrow } from '../core/validation.js';

export const dataQueryRequestSchema = z
  .object({
    columns: z.array(z.string().min(1)).max(200).optional(),
    where: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    limit: z.number().int().positive().max(100_000).optional(),
  })
  .strict();
export type DataQueryRequest = z.output<typeof dataQueryRequestSchema>;

export interface DataQueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
  /** True when more rows matched than the limit allowed. */
  truncated: boolean;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_CSV_BYTES = 50 * 1024 * 1024;

export class DatasetQuery {
  /** @param home directory that dataset source paths are relative to (GATEHOUSE_HOME). */
  /** @param tokenKey key for `tokenize` masks (the same one DataSql uses, so tokens agree). */
  constructor(
    private readonly home: string,
    private readonly tokenKey = '',
  ) {}

  /**
   * @param allowed columns this caller may see (manifest ∩ catalog); requests outside it are refused.
   * @param rowLimit the most restrictive limit (policy obligation, default cap).
   */
  async query(
    doc: DatasetDoc,
    rawRequest: unknown,
    allowed: readonly string[],
    rowLimit: number,
    masks: Readonly<Record<string, MaskKind>> = {},
  ): Promise<DataQueryResult> {
    const req = parseOrThrow(dataQueryRequestSchema, rawRequest ?? {}, 'ctx.data.query request');
    const name = doc.metadata.name;
    const columns = req.columns ?? [...allowed];
    for (const c of [...columns, ...Object.keys(req.where ?? {})]) {
      if (!allowed.includes(c))
        throw new PolicyDeniedError(
          `column '${c}' of dataset '${name}' is not declared in the app manifest (spec.data[].columns); allowed: ${allowed.join(', ') || 'none'}`,
        );
    }
    if (columns.length === 0)
      throw new PolicyDeniedError(
        `the app manifest declares no columns of dataset '${name}'; add them to spec.data[].columns`,
      );
    const limit = Math.max(0, Math.min(req.limit ?? rowLimit, rowLimit));
    const source = doc.spec.source;
    if (!source)
      throw new UnavailableError(`dataset '${name}' has no spec.source in the catalog, so apps cannot query it`);
    if (!('path' in source))
      throw new UnavailableError(
        `dataset '${name}' reads DataSource '${source.dataSource}', which this layer cannot open`,
      );
    const path = this.resolvePath(source.path, name);
    const rows =
      source.kind === 'sqlite'
        ? this.sqlite(path, source.table ?? name, columns, req.where ?? {}, limit + 1)
        : await this.csv(path, columns, req.where ?? {}, limit + 1);
    const out = rows.slice(0, limit);
    for (const row of out)
      for (const [c, kind] of Object.entries(masks)) if (c in row) row[c] = maskValue(kind, row[c], this.tokenKey);
    return { columns, rows: out, truncated: rows.length > limit };
  }

  private resolvePath(p: string, name: string): string {
    const full = isAbsolute(p) ? p : resolve(this.home, p);
    const rel = relative(this.home, full);
    if (rel.startsWith('..') || isAbsolute(rel))
      throw new UnavailableError(`dataset '${name}' source path '${p}' is outside GATEHOUSE_HOME`);
    return full;
  }

  private sqlite(
    path: string,
    table: string,
    columns: string[],
    where: Record<string, unknown>,
    limit: number,
  ): Record<string, unknown>[] {
    for (const id of [table, ...columns, ...Object.keys(where)]) {
      if (!IDENT.test(id)) throw new InvalidInputError(`'${id}' is not a plain SQL identifier`);
    }
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
    } catch {
      throw new UnavailableError(`dataset source ${path} cannot be opened`);
    }
    try {
      const keys = Object.keys(where);
      const sql = `SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${table}"${keys.length ? ` WHERE ${keys.map((k) => `"${k}" IS ?`).join(' AND ')}` : ''} LIMIT ?`;
      const params = [...keys.map((k) => (typeof where[k] === 'boolean' ? Number(where[k]) : where[k])), limit];
      return db.prepare(sql).all(...params) as Record<string, unknown>[];
    } catch (err) {
      throw new UnavailableError(`dataset query failed: ${(err as Error).message}`);
    } finally {
      db.close();
    }
  }

  private async csv(
    path: string,
    columns: string[],
    where: Record<string, unknown>,
    limit: number,
  ): Promise<Record<string, unknown>[]> {
    let text: string;
    try {
      if ((await stat(path)).size > MAX_CSV_BYTES)
        throw new UnavailableError(`CSV source ${path} is larger than ${MAX_CSV_BYTES} bytes`);
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (err instanceof UnavailableError) throw err;
      throw new UnavailableError(`dataset source ${path} cannot be read`);
    }
    const records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
    const out: Record<string, unknown>[] = [];
    for (const r of records) {
      if (
        Object.entries(where).every(([k, v]) => (v === null ? r[k] === '' || r[k] === undefined : r[k] === String(v)))
      ) {
        const row: Record<string, unknown> = {};
        for (const c of columns) row[c] = r[c] ?? null;
        out.push(row);
        if (out.length >= limit) break;
      }
    }
    return out;
  }
}
