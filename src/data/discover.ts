// `gatehouse catalog discover <source>`: reads a DataSource's tables and columns and proposes Dataset documents,
// flagging columns that look sensitive by name and by DLP findings in a small sample (the reviewer confirms tags).
// Sampled values stay on the server: only the finding types come back.
import type { DataSourceDoc } from '../catalog/catalog-schema.js';
import { NAME_RE } from '../catalog/names.js';
import { InvalidInputError } from '../core/errors.js';
import type { DataSources } from './data-sources.js';
import { quoteIdent } from './masking.js';
import type { SqlEngine } from './sql-engine.js';

const SENSITIVE_NAME =
  /(e-?mail|phone|mobile|ssn|social_?sec|passport|iban|card|birth|dob|address|street|post_?code|zip|salary|ip_?addr|password|secret|token|national|tax_?id|first_?name|last_?name|full_?name)/i;
const SAMPLE_ROWS = 20;
const MAX_TABLES = 200;

export interface ProposedColumn {
  name: string;
  tags: string[];
}

async function tables(engine: SqlEngine, doc: DataSourceDoc): Promise<{ table: string; columns: string[] }[]> {
  const opts = { timeoutMs: 10_000, maxRows: 10_000 };
  let rows: Record<string, unknown>[];
  if (engine.dialect === 'sqlite') {
    rows = [];
    const names = await engine.run(
      "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
      [],
      opts,
    );
    for (const n of names) {
      const cols = await engine.run('SELECT name FROM pragma_table_info(?) ORDER BY cid', [n.name], opts);
      for (const c of cols) rows.push({ t: n.name, c: c.name });
    }
  } else {
    const schema = engine.dialect === 'postgres' ? (doc.spec.schema ?? 'public') : doc.spec.database;
    const ph = engine.dialect === 'postgres' ? '$1' : '?';
    rows = await engine.run(
      `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = ${ph} ORDER BY table_name, ordinal_position`,
      [schema],
      opts,
    );
  }
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const t = String(r.t ?? r.T ?? r.TABLE_NAME);
    const c = String(r.c ?? r.C ?? r.COLUMN_NAME);
    if (!out.has(t)) out.set(t, []);
    out.get(t)!.push(c);
  }
  return [...out].slice(0, MAX_TABLES).map(([table, columns]) => ({ table, columns }));
}

/** Proposed Dataset documents for every table of the source (valid to apply once reviewed). */
export async function discoverDatasets(
  sources: DataSources,
  name: string,
  scan?: (text: string) => string[],
): Promise<Record<string, unknown>[]> {
  const doc = sources.doc(name);
  if (doc.spec.engine === 'csv')
    throw new InvalidInputError(`DataSource '${name}' is a CSV file; discover reads databases`);
  const engine = sources.engine(name);
  const docs: Record<string, unknown>[] = [];
  for (const { table, columns } of await tables(engine, doc)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) continue;
    const sample = await engine.run(
      `SELECT ${columns.map((c) => quoteIdent(engine.dialect, c)).join(', ')} FROM ${engine.qualify(table)} LIMIT ${SAMPLE_ROWS}`,
      [],
      { timeoutMs: 10_000, maxRows: SAMPLE_ROWS },
    );
    const proposed: ProposedColumn[] = columns.map((c) => {
      const tags = new Set<string>();
      if (SENSITIVE_NAME.test(c)) tags.add('pii').add('discover:name');
      for (const row of sample) {
        const v = row[c];
        if (typeof v !== 'string' || !scan) continue;
        for (const t of scan(v)) tags.add('pii').add(`discover:dlp:${t}`);
      }
      return { name: c, tags: [...tags] };
    });
    const flagged = proposed.filter((c) => c.tags.length).map((c) => c.name);
    const dsName = `${name}-${table}`.toLowerCase().replace(/_/g, '-').slice(0, 63);
    docs.push({
      apiVersion: 'gatehouse/v1',
      kind: 'Dataset',
      metadata: {
        name: NAME_RE.test(dsName) ? dsName : `${name}-t${docs.length}`,
        owner: doc.metadata.owner,
        description: `Proposed by catalog discover from ${name}.${table}; confirm the tags and masks before applying`,
        labels: flagged.length ? { 'gatehouse/review': flagged.join('.') } : {},
      },
      spec: {
        classification: flagged.length ? 'pii' : 'internal',
        region: doc.spec.region,
        source: { dataSource: name, table },
        columns: proposed,
      },
    });
  }
  return docs;
}
