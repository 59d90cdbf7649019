// Persistence of app versions through the store contract. Versions are immutable; only state changes.
import { LRUCache } from 'lru-cache';
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

/**
 * Versions are read on every governed call (govern() identifies the app), so each app's versions are kept in
 * memory once read. Any insert or state change drops that app's entry here and calls `onChange`, which the apps
 * service broadcasts so other replicas drop theirs too. Reads inside a transaction bypass the cache.
 */
export class AppStore {
  private readonly cache = new LRUCache<string, Promise<AppVersion[]>>({ max: 1000 });
  onChange: (app: string) => void = () => {};

  constructor(private readonly db: SqlDb) {}

  /** Forgets what is cached for `app` (after a change here or on another replica). */
  invalidate(app: string): void {
    this.cache.delete(app);
  }

  private cached(app: string): Promise<AppVersion[]> {
    let p = this.cache.get(app);
    if (!p) {
      p = this.db
        .all<Row>(`SELECT ${COLS} FROM app_versions WHERE app = ? ORDER BY version`, [app])
        .then((rows) => rows.map(toVersion));
      p.catch(() => this.cache.delete(app));
      this.cache.set(app, p);
    }
    return p;
  }

  async get(app: string, version: number, q?: SqlExecutor): Promise<AppVersion | undefined> {
    if (q) {
      const r = await q.get<Row>(`SELECT ${COLS} FROM app_versions WHERE app = ? AND version = ?`, [app, version]);
      return r && toVersion(r);
    }
    return (await this.cached(app)).find((v) => v.version === version);
  }

  async byHash(app: string, hash: string): Promise<AppVersion | undefined> {
    return (await this.cached(app)).find((v) => v.hash === hash);
  }

  async versions(app: string): Promise<AppVersion[]> {
    return [...(await this.cached(app))];
  }

  async latest(app: string): Promise<AppVersion | undefined> {
    return (await this.cached(app)).at(-1);
  }

  async appNames(): Promise<string[]> {
    return (await this.db.all<{ app: string }>('SELECT DISTINCT app FROM app_versions ORDER BY app')).map((r) => r.app);
  }

  /**
   * One page of app names after `after` in name order (keyset on the primary key, so page 500 costs what page 1
   * does). `q` matches part of the name, case-insensitively; `state` keeps apps whose latest version is in it.
   */
  async pageNames(opts: { after?: string; limit: number; q?: string; state?: string }): Promise<string[]> {
    const where = ['v.app > ?'];
    const params: unknown[] = [opts.after ?? ''];
    if (opts.q) {
      where.push(`LOWER(v.app) LIKE ? ESCAPE '\\'`);
      params.push(`%${opts.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (opts.state) {
      where.push('v.state = ? AND v.version = (SELECT MAX(m.version) FROM app_versions m WHERE m.app = v.app)');
      params.push(opts.state);
    }
    params.push(opts.limit);
    const rows = await this.db.all<{ app: string }>(
      `SELECT DISTINCT v.app FROM app_versions v WHERE ${where.join(' AND ')} ORDER BY v.app LIMIT ?`,
      params,
    );
    return rows.map((r) => r.app);
  }

  /** Inserts the next version number for `app` inside `tx`; call markChanged(app) once `tx` commits. */
  async insert(tx: SqlExecutor, v: Omit<AppVersion, 'version'>): Promise<number> {
    const max = await tx.get<{ m: number | null }>('SELECT MAX(version) AS m FROM app_versions WHERE app = ?', [v.app]);
    const version = Number(max?.m ?? 0) + 1;
    await tx.run(
      'INSERT INTO app_versions (app, version, hash, manifest, code, state, submitted_by, created_at, state_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        v.app,
        version,
        v.hash,
        JSON.stringify(v.manifest),
        JSON.stringify(v.code),
        v.state,
        v.submittedBy,
        v.createdAt,
        v.createdAt,
      ],
    );
    return version;
  }

  /** Compare-and-set of the lifecycle state; false when the version is no longer in `from`. */
  async setState(
    app: string,
    version: number,
    from: LifecycleState,
    to: LifecycleState,
    at: number,
    q: SqlExecutor = this.db,
  ): Promise<boolean> {
    const r = await q.run(
      'UPDATE app_versions SET state = ?, state_changed_at = ? WHERE app = ? AND version = ? AND state = ?',
      [to, at, app, version, from],
    );
    // Inside a caller's transaction the caller marks the change after commit; a read before then would cache the old state.
    if (!q || q === this.db) this.markChanged(app);
    return r.changes === 1;
  }

  markChanged(app: string): void {
    this.invalidate(app);
    this.onChange(app);
  }
}
