// Column masking per dialect: the SQL expression that replaces a masked column inside the guard's shadow view, and the
// same transformation in JavaScript for engines that lack a function (so every engine returns the same shapes).
import { createHash, createHmac } from 'node:crypto';
import type { MaskKind } from '../catalog/catalog-schema.js';

export type SqlDialect = 'postgres' | 'mysql' | 'sqlite';

export function quoteIdent(dialect: SqlDialect, id: string): string {
  return dialect === 'mysql' ? `\`${id.replace(/`/g, '``')}\`` : `"${id.replace(/"/g, '""')}"`;
}

/** Hex only, so it can be inlined as a literal without escaping concerns. */
function hexLiteral(key: string): string {
  return `'${Buffer.from(key).toString('hex')}'`;
}

/** The SQL expression for column `col` (already quoted) masked by `kind`; NULL stays NULL for every kind. */
export function maskExpression(dialect: SqlDialect, kind: MaskKind, col: string, tokenKey: string): string {
  const wrap = (e: string) => `CASE WHEN ${col} IS NULL THEN NULL ELSE ${e} END`;
  switch (kind) {
    case 'null':
      return 'NULL';
    case 'mask':
      return wrap(`'****'`);
    case 'partial':
      if (dialect === 'postgres')
        return wrap(`repeat('*', greatest(length(${col}::text) - 4, 0)) || right(${col}::text, 4)`);
      if (dialect === 'mysql')
        return wrap(`CONCAT(REPEAT('*', GREATEST(CHAR_LENGTH(${col}) - 4, 0)), RIGHT(${col}, 4))`);
      return wrap(`gh_mask_partial(${col})`);
    case 'hash':
      if (dialect === 'postgres') return wrap(`encode(sha256(convert_to(${col}::text, 'UTF8')), 'hex')`);
      if (dialect === 'mysql') return wrap(`SHA2(${col}, 256)`);
      return wrap(`gh_mask_hash(${col})`);
    case 'tokenize':
      // Keyed, so equal values join on the token but the value cannot be recovered by hashing guesses.
      if (dialect === 'postgres') return wrap(`'tok_' || left(md5(${hexLiteral(tokenKey)} || ${col}::text), 16)`);
      if (dialect === 'mysql') return wrap(`CONCAT('tok_', LEFT(MD5(CONCAT(${hexLiteral(tokenKey)}, ${col})), 16))`);
      return wrap(`gh_mask_tokenize(${col})`);
  }
}

/** JavaScript versions, registered as SQLite functions and used on rows from file sources. */
export function maskValue(kind: MaskKind, value: unknown, tokenKey: string): unknown {
  if (value === null || value === undefined) return null;
  const s = String(value);
  switch (kind) {
    case 'null':
      return null;
    case 'mask':
      return '****';
    case 'partial':
      return '*'.repeat(Math.max(s.length - 4, 0)) + s.slice(-4);
    case 'hash':
      return createHash('sha256').update(s).digest('hex');
    case 'tokenize':
      return `tok_${createHash('md5')
        .update(Buffer.from(tokenKey).toString('hex') + s)
        .digest('hex')
        .slice(0, 16)}`;
  }
}

/** A keyed HMAC of normalized SQL for the audit trail: equal queries group together, values never appear. */
export function sqlFingerprint(sql: string, key: string): string {
  return createHmac('sha256', key).update(sql).digest('hex').slice(0, 32);
}
