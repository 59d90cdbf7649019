// Persistence of app versions through the store contract. Versions are immutable; only state changes.
import type { SqlDb, SqlExecutor } from '../store/sql-db.js';
import type { AppManifest, AppVersion, LifecycleState } from './manifest-schema.js';

interface Row {
  app: string;
  version: number;
  hash: string;
  manifest: string;
  code: string;
  state: string;
  submitted_by: string;
  created_at: number;
}

const COLS = 'app, version, hash, manifest, code, state, submitted_by, created_at';

function toVersion(r: Row): AppVersion {
  return {
    app: r.app,
    version: Number(r.version),
    hash: r.hash,
    manifest: JSON.parse(r.manifest) as AppManifest,
    code: JSON.parse(r.code) as Record<string, string>,
    state: r.state as LifecycleState,
    submittedBy: r.submitted_by,
    createdAt: Number(r.created_at),
  };
}

export class AppStore {
  constructor(private readonly db: SqlDb) {}

  async get(app: string, version: number, q: SqlExecutor = this.db): Promise<AppVersion | undefined> {
    const r = await q.get<Row>(`SELECT ${COLS} FROM app_versions WHERE app = ? AND version = ?`, [app, version]);
    return r && toVersion(r);
  }

  async byHash(app: string, hash: string, q: SqlExecutor = this.db): Promise<AppVersion | undefined> {
    const r = await q.get<Row>(`SELECT ${COLS} FROM app_versions WHERE app = ? AND hash = ?`, [app, hash]);
    return r && toVersion(r);
  }

  async versions(app: string): Promise<AppVersion[]> {
    return (await this.db.all<Row>(`SELECT ${COLS} FROM app_versions WHERE app = ? ORDER BY version`, [app])).map(toVersion);
  }

  async latest(app: string): Promise<AppVersion | undefined> {
    const r = await this.db.get<Row>(`SELECT ${COLS} FROM app_versions WHERE app = ? ORDER BY version DESC LIMIT 1`, [app]);
    return r && toVersion(r);
  }

  async appNames(): Promise<string[]> {
    return (await this.db.all<{ app: string }>('SELECT DISTINCT app FROM app_versions ORDER BY app')).map((r) => r.app);
  }

  /** Inserts the next version number for `app` inside `tx`. */
  async insert(tx: SqlExecutor, v: Omit<AppVersion, 'version'>): Promise<number> {
    const max = await tx.get<{ m: number | null }>('SELECT MAX(version) AS m FROM app_versions WHERE app = ?', [v.app]);
    const version = Number(max?.m ?? 0) + 1;
    await tx.run(
      'INSERT INTO app_versions (app, version, hash, manifest, code, state, submitted_by, created_at, state_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [v.app, version, v.hash, JSON.stringify(v.manifest), JSON.stringify(v.code), v.state, v.submittedBy, v.createdAt, v.createdAt],
    );
    return version;
  }

  /** Compare-and-set of the lifecycle state; false when the version is no longer in `from`. */
  async setState(app: string, version: number, from: LifecycleState, to: LifecycleState, at: number, q: SqlExecutor = this.db): Promise<boolean> {
    const r = await q.run('UPDATE app_versions SET state = ?, state_changed_at = ? WHERE app = ? AND version = ? AND state = ?', [to, at, app, version, from]);
    return r.changes === 1;
  }
}
