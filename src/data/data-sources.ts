// Turns a catalog DataSource into a live engine (pooled, one per source), reading the admin credential from the
// server's environment so it never appears in the catalog, a manifest or an app.
import { isAbsolute, relative, resolve } from 'node:path';
import type { DataSourceDoc, DataSourceReader } from '../catalog/catalog-schema.js';
import { contentHash } from '../core/hash.js';
import { NotFoundError, UnavailableError } from '../core/errors.js';
import { MysqlEngine } from './mysql-engine.js';
import { mysqlRunCredentials } from './mysql-run-credentials.js';
import { pgRunCredentials } from './pg-run-credentials.js';
import type { CredentialEvent, RunCredentials } from './run-credentials.js';
import { PostgresEngine } from './postgres-engine.js';
import type { SqlEngine } from './sql-engine.js';
import { SqliteEngine } from './sqlite-engine.js';

export interface DataSourcesDeps {
  sources: DataSourceReader;
  /** GATEHOUSE_HOME: sqlite and csv sources are files under it. */
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Key for tokenize masking (stable per deployment so tokens join across queries). */
  tokenKey: string;
  /** Audits per-run role events (created, dropped). */
  onCredential?: (e: CredentialEvent) => void | Promise<void>;
}

export class DataSources {
  private readonly engines = new Map<string, { hash: string; engine: SqlEngine; creds?: RunCredentials }>();
  /**
   * SQLite files served as sources for a while (a canary's obfuscated copies), never in the catalog: only a dataset
   * document that names one (a run's overlay) reaches it, and their names (with ':') cannot be catalog names.
   */
  private readonly temporary = new Map<string, DataSourceDoc>();

  constructor(private readonly deps: DataSourcesDeps) {}

  /** Serves a SQLite file under GATEHOUSE_HOME as a source until removeTemporary(name); returns its name. */
  addTemporary(id: string, file: string, like: { owner: string; region: string }): string {
    const name = `temporary:${id}`;
    pathUnderHome(this.deps.home, file, name);
    this.temporary.set(name, {
      apiVersion: 'gatehouse/v1',
      kind: 'DataSource',
      metadata: { name, owner: like.owner },
      spec: { engine: 'sqlite', database: file, region: like.region, runCredentials: false },
    });
    return name;
  }

  /** Stops serving a temporary source and closes its engine (before its file is deleted). */
  async removeTemporary(name: string): Promise<void> {
    this.temporary.delete(name);
    const e = this.engines.get(name);
    this.engines.delete(name);
    if (e) await this.closeEntry(e);
  }

  doc(name: string): DataSourceDoc {
    const doc = this.temporary.get(name) ?? this.deps.sources.dataSource(name);
    if (!doc) throw new NotFoundError('DataSource', name, 'apply it to the catalog (kind: DataSource)');
    return doc;
  }

  /** The engine for a source; rebuilt when its catalog document changes. */
  engine(name: string): SqlEngine {
    return this.entry(name).engine;
  }

  /** The per-run login issuer of a PostgreSQL or MySQL source with spec.runCredentials, else undefined. */
  runCredentials(name: string): RunCredentials | undefined {
    return this.entry(name).creds;
  }

  private entry(name: string) {
    const doc = this.doc(name);
    const hash = contentHash(doc);
    const have = this.engines.get(name);
    if (have?.hash === hash) return have;
    if (have) void this.closeEntry(have);
    const engine = this.build(doc);
    const creds = !doc.spec.runCredentials
      ? undefined
      : engine instanceof PostgresEngine
        ? pgRunCredentials(engine.connectionString, this.deps.onCredential)
        : engine instanceof MysqlEngine
          ? mysqlRunCredentials(engine.target, this.deps.onCredential)
          : undefined;
    const next = { hash, engine, creds };
    this.engines.set(name, next);
    return next;
  }

  private async closeEntry(e: { engine: SqlEngine; creds?: RunCredentials }): Promise<void> {
    await e.engine.close().catch(() => undefined);
    await e.creds?.close().catch(() => undefined);
  }

  private build(doc: DataSourceDoc): SqlEngine {
    const s = doc.spec;
    const secret = s.credential ? this.deps.env[s.credential.env] : undefined;
    if (s.credential && secret === undefined)
      throw new UnavailableError(
        `DataSource '${doc.metadata.name}' names credential env ${s.credential.env}, which is not set on the server`,
      );
    const isUrl = secret !== undefined && /^[a-z]+:\/\//i.test(secret);
    switch (s.engine) {
      case 'postgres': {
        const url = isUrl
          ? secret
          : `postgres://${encodeURIComponent(s.user ?? 'postgres')}${secret ? `:${encodeURIComponent(secret)}` : ''}@${s.host}:${s.port ?? 5432}/${encodeURIComponent(s.database)}`;
        return new PostgresEngine(url, s.schema ?? 'public');
      }
      case 'mysql': {
        const u = isUrl ? new URL(secret) : undefined;
        return new MysqlEngine({
          host: u?.hostname ?? (s.host as string),
          port: Number(u?.port || s.port || 3306),
          user: decodeURIComponent(u?.username ?? '') || s.user || 'root',
          password: u ? decodeURIComponent(u.password) : secret,
          database: s.database,
        });
      }
      case 'sqlite':
        return new SqliteEngine(pathUnderHome(this.deps.home, s.database, doc.metadata.name), this.deps.tokenKey);
      case 'csv':
        throw new UnavailableError(
          `DataSource '${doc.metadata.name}' is a CSV file: use ctx.data.query, SQL needs a database engine`,
        );
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.engines.values()].map((e) => this.closeEntry(e)));
    this.engines.clear();
  }
}

/** A source file path resolved under GATEHOUSE_HOME; paths leaving it are refused. */
export function pathUnderHome(home: string, p: string, name: string): string {
  const full = isAbsolute(p) ? p : resolve(home, p);
  const rel = relative(home, full);
  if (rel.startsWith('..') || isAbsolute(rel))
    throw new UnavailableError(`data source '${name}' path '${p}' is outside GATEHOUSE_HOME`);
  return full;
}
