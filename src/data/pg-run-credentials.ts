// Per-run PostgreSQL credentials: a LOGIN role that expires (VALID UNTIL) with SELECT granted on exactly the approved
// columns; the owner lock is a session advisory lock, which PostgreSQL frees the moment the server's connection dies.
import pg from 'pg';
import { UnavailableError } from '../core/errors.js';
import { quoteIdent } from './masking.js';
import {
  EngineRunCredentials,
  RUN_ROLE_PREFIX,
  type CredentialEvent,
  type RunCredentials,
  type RunGrant,
  type RunUserDriver,
} from './run-credentials.js';

/** The advisory lock class for owner locks ('gh'); the object id is hashtext(owner). */
const LOCK_CLASS = 0x6768;

export function pgRunCredentials(adminUrl: string, onEvent?: (e: CredentialEvent) => void | Promise<void>) {
  return new EngineRunCredentials(new PgRunUsers(adminUrl), onEvent) as RunCredentials;
}

export class PgRunUsers implements RunUserDriver {
  private readonly pool: pg.Pool;
  private holder: Promise<pg.Client> | undefined;

  constructor(private readonly adminUrl: string) {
    this.pool = new pg.Pool({ connectionString: adminUrl, max: 2 });
    this.pool.on('error', () => undefined);
  }

  async create(user: string, password: string, g: RunGrant): Promise<void> {
    const q = (id: string) => quoteIdent('postgres', id);
    const until = new Date(g.expiresAt).toISOString();
    await this.tx(async (c) => {
      await c.query(`CREATE ROLE ${q(user)} LOGIN PASSWORD '${password}' VALID UNTIL '${until}'`);
      await c.query(`COMMENT ON ROLE ${q(user)} IS 'gatehouse run ${g.runId.replace(/'/g, '')}'`);
      await c.query(`GRANT USAGE ON SCHEMA ${q(g.schema)} TO ${q(user)}`);
      await c.query(`GRANT SELECT (${g.columns.map(q).join(', ')}) ON ${q(g.schema)}.${q(g.table)} TO ${q(user)}`);
    });
  }

  async drop(user: string): Promise<boolean> {
    const q = quoteIdent('postgres', user);
    return this.tx(async (c) => {
      const r = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
      if (r.rowCount === 0) return false;
      await c.query(`DROP OWNED BY ${q}`);
      await c.query(`DROP ROLE ${q}`);
      return true;
    });
  }

  async list(): Promise<string[]> {
    const r = await this.pool.query<{ rolname: string }>(
      `SELECT rolname FROM pg_roles WHERE rolname LIKE '${RUN_ROLE_PREFIX}%' ORDER BY rolname`,
    );
    return r.rows.map((x) => x.rolname);
  }

  async holdOwnerLock(owner: string): Promise<void> {
    this.holder ??= (async () => {
      const c = new pg.Client({ connectionString: this.adminUrl });
      // Losing this connection frees the lock: retake it on the next issue (until then sweepers may drop our roles,
      // which fails closed: the run's queries are refused).
      c.on('error', () => (this.holder = undefined));
      c.on('end', () => (this.holder = undefined));
      await c.connect();
      await c.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_CLASS, owner]);
      return c;
    })().catch((err: unknown) => {
      this.holder = undefined;
      throw err;
    });
    await this.holder;
  }

  async ownerAlive(owner: string): Promise<boolean> {
    const c = await this.pool.connect();
    try {
      const r = await c.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS got', [
        LOCK_CLASS,
        owner,
      ]);
      if (!r.rows[0].got) return true;
      await c.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, owner]);
      return false;
    } finally {
      c.release();
    }
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw new UnavailableError(`run credentials: ${(err as Error).message}`);
    } finally {
      c.release();
    }
  }

  async close(): Promise<void> {
    const h = this.holder;
    this.holder = undefined;
    await h?.then((c) => c.end()).catch(() => undefined);
    await this.pool.end();
  }
}
