// First start of an empty home: seed the example catalog, data files and apps so there is something to show.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { parseYamlDocuments } from '../core/yaml-documents.js';
import { repoPath } from '../core/repo-root.js';
import type { Logger } from '../core/logger.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { AppService } from '../apps/app-service.js';
import type { Principal } from '../identity/principal.js';
import { readAppBundle } from '../apps/app-bundle.js';
import type { SqlDb } from '../store/sql-db.js';

export interface SeedDeps {
  db: SqlDb;
  home: string;
  catalog: CatalogService;
  apps: AppService;
  logger: Logger;
  /** Further seeding steps of other features (policies, alert rules), run after the catalog. */
  extraSteps?: ReadonlyArray<(actor: Principal) => Promise<void>>;
}

const SEEDER: Principal = { user: 'admin', roles: ['admin'], groups: [] };

export async function isEmptyStore(db: SqlDb): Promise<boolean> {
  const c = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM catalog_entries');
  return Number(c?.n ?? 0) === 0;
}

/** Seeds once: only when the catalog is empty. Returns whether it seeded. */
export async function seedExamples(deps: SeedDeps): Promise<boolean> {
  if (!(await isEmptyStore(deps.db))) return false;
  const dir = repoPath('examples', 'catalog');
  const docs = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) => parseYamlDocuments(readFileSync(join(dir, f), 'utf8'), `examples/catalog/${f}`));
  await deps.catalog.apply(docs, SEEDER.user);
  seedDataFiles(deps.home);
  for (const step of deps.extraSteps ?? []) await step(SEEDER);
  const appsDir = repoPath('examples', 'apps');
  for (const name of readdirSync(appsDir).sort()) {
    const bundle = readAppBundle(join(appsDir, name, 'app.yaml'));
    // Example apps are submitted by their owner, so approvals follow the same rules as for anyone.
    const owner = deps.catalog.user(String((bundle.manifest as { metadata?: { owner?: string } }).metadata?.owner));
    const submitter: Principal = owner
      ? { user: owner.metadata.name, roles: owner.spec.roles, groups: owner.spec.groups }
      : SEEDER;
    await deps.apps.submit(bundle.manifest, bundle.code, submitter);
  }
  deps.logger.info('seeded example catalog, data and apps', { catalogDocuments: docs.length });
  return true;
}

/** Copies the example CSVs into home/data and builds the SQLite transcripts database from its CSV. */
function seedDataFiles(home: string): void {
  const src = repoPath('examples', 'data');
  const dst = join(home, 'data');
  mkdirSync(dst, { recursive: true });
  for (const f of ['products.csv', 'kb.csv']) if (!existsSync(join(dst, f))) copyFileSync(join(src, f), join(dst, f));
  const dbFile = join(dst, 'transcripts.db');
  if (existsSync(dbFile)) return;
  mkdirSync(dirname(dbFile), { recursive: true });
  const rows = parseCsvSync(readFileSync(join(src, 'transcripts.csv'), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  }) as Record<string, string>[];
  const db = new Database(dbFile);
  try {
    db.exec(
      'CREATE TABLE transcripts (id INTEGER PRIMARY KEY, customer_name TEXT, email TEXT, ssn TEXT, transcript TEXT, created_at TEXT)',
    );
    const ins = db.prepare(
      'INSERT INTO transcripts VALUES (@id, @customer_name, @email, @ssn, @transcript, @created_at)',
    );
    db.transaction(() => rows.forEach((r) => ins.run(r)))();
  } finally {
    db.close();
  }
}
