// Bench helper: many apps without running admission on each. Copies the stored rows of one app that went through the
// real apps service (its app_versions row, its approvals row and the policy decisions its submission recorded) under
// new names, in batched transactions, so the inventory, approvals, paging and the policy simulation read what the
// service would have written; only the name, content hash and ids differ.
import { performance } from 'node:perf_hooks';
import { contentHash } from '../src/core/hash.js';
import { newId } from '../src/core/ids.js';
import type { SqlDb } from '../src/store/sql-db.js';

const CHUNK = 1_000;

type Row = Record<string, unknown>;

function insertSql(table: string, row: Row): string {
  const cols = Object.keys(row);
  return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
}

/**
 * Inserts `names` as copies of `template` (an app already submitted through the service, version 1). Each copy gets
 * the manifest with its own metadata.name, the content hash the service would compute for it, and its own approval id.
 */
export async function seedApps(
  db: SqlDb,
  template: string,
  names: readonly string[],
): Promise<{ seconds: number; versions: number; approvals: number; decisions: number }> {
  const started = performance.now();
  const versions = await db.all<Row>('SELECT * FROM app_versions WHERE app = ? ORDER BY version', [template]);
  const approvals = await db.all<Row>('SELECT * FROM approvals WHERE app = ?', [template]);
  const decisions = await db.all<Row>('SELECT * FROM policy_decisions WHERE app = ?', [template]);
  if (versions.length !== 1) throw new Error(`template ${template} has ${versions.length} versions, expected 1`);
  const v = versions[0];
  const manifest = JSON.parse(String(v.manifest)) as { metadata: { name: string } };
  const code = JSON.parse(String(v.code)) as Record<string, string>;
  if (contentHash({ manifest, code }) !== v.hash) throw new Error('template hash does not match its manifest and code');
  let nv = 0;
  let na = 0;
  let nd = 0;
  // The name and hash also appear inside a decision's masked input: replace them in every text column.
  const rename = (row: Row, name: string, hash: string): Row =>
    Object.fromEntries(
      Object.entries(row).map(([k, x]) => [
        k,
        typeof x === 'string' ? x.split(template).join(name).split(String(v.hash)).join(hash) : x,
      ]),
    );
  for (let i = 0; i < names.length; i += CHUNK) {
    await db.transaction(async (tx) => {
      for (const name of names.slice(i, i + CHUNK)) {
        const m = structuredClone(manifest);
        m.metadata.name = name;
        const hash = contentHash({ manifest: m, code });
        const row = { ...v, app: name, hash, manifest: JSON.stringify(m) };
        await tx.run(insertSql('app_versions', row), Object.values(row));
        nv++;
        for (const a of approvals) {
          const copy = { ...a, id: newId('apr', Number(a.created_at)), app: name, app_hash: hash };
          await tx.run(insertSql('approvals', copy), Object.values(copy));
          na++;
        }
        for (const d of decisions) {
          const copy = { ...rename(d, name, hash), id: newId('dec', Number(d.time)) };
          await tx.run(insertSql('policy_decisions', copy), Object.values(copy));
          nd++;
        }
      }
    });
  }
  return { seconds: (performance.now() - started) / 1000, versions: nv, approvals: na, decisions: nd };
}
