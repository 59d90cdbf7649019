// Per-run PostgreSQL credentials (Vault-style): a LOGIN role that expires (VALID UNTIL) with SELECT granted on exactly
// the approved columns, used for that run's queries and dropped at run end, or by the sweeper after a crash.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { UnavailableError } from '../core/errors.js';
import { quoteIdent } from './masking.js';

/** Every run role starts with this, so the sweeper finds roles left behind by a crashed server. */
export const RUN_ROLE_PREFIX = 'gh_run_';

export interface RunGrant {
  runId: string;
  schema: string;
  table: string;
  columns: readonly string[];
  /** When the role stops working (the run's deadline); the sweeper drops it after this. */
  expiresAt: number;
}

export interface RunRole {
  role: string;
  expiresAt: number;
}

export type CredentialEvent = { type: 'created' | 'dropped'; role: string; runId?: string; reason?: string };

export class PgRunCredentials {
  private readonly pool: pg.Pool;

  /** @param onEvent records created/dropped (the caller audits them). */
  constructor(
    adminUrl: string,
    private readonly onEvent: (e: CredentialEvent) => void | Promise<void> = () => undefined,
  ) {
    this.pool = new pg.Pool({ connectionString: adminUrl, max: 2 });
    this.pool.on('error', () => undefined);
  }

  static roleFor(runId: string): string {
    return (RUN_ROLE_PREFIX + runId.toLowerCase().replace(/[^a-z0-9_]/g, '_')).slice(0, 63);
  }

  async issue(g: RunGrant): Promise<RunRole> {
    if (g.columns.length === 0) throw new UnavailableError(`run ${g.runId} was approved for no columns`);
    const role = PgRunCredentials.roleFor(g.runId);
    const q = (id: string) => quoteIdent('postgres', id);
    const until = new Date(g.expiresAt).toISOString();
    const password = randomBytes(24).toString('hex');
    await this.tx(async (c) => {
      await c.query(`CREATE ROLE ${q(role)} LOGIN PASSWORD '${password}' VALID UNTIL '${until}'`);
      await c.query(`COMMENT ON ROLE ${q(role)} IS 'gatehouse run ${g.runId.replace(/'/g, '')}'`);
      await c.query(`GRANT USAGE ON SCHEMA ${q(g.schema)} TO ${q(role)}`);
      await c.query(`GRANT SELECT (${g.columns.map(q).join(', ')}) ON ${q(g.schema)}.${q(g.table)} TO ${q(role)}`);
    });
    await this.onEvent({ type: 'created', role, runId: g.runId });
    return { role, expiresAt: g.expiresAt };
  }

  /** Drops a run's role and its grants; a missing role is fine (already swept). */
  async drop(role: string, reason = 'run ended'): Promise<void> {
    if (!role.startsWith(RUN_ROLE_PREFIX)) throw new UnavailableError(`'${role}' is not a Gatehouse run role`);
    const q = quoteIdent('postgres', role);
    const existed = await this.tx(async (c) => {
      const r = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (r.rowCount === 0) return false;
      await c.query(`DROP OWNED BY ${q}`);
      await c.query(`DROP ROLE ${q}`);
      return true;
    });
    if (existed) await this.onEvent({ type: 'dropped', role, reason });
  }

  /** Drops run roles past their expiry (or all of them with `all`, on a start after a crash); returns their names. */
  async sweep(now: number, all = false): Promise<string[]> {
    const r = await this.pool.query<{ rolname: string; until: Date | null }>(
      `SELECT rolname, rolvaliduntil AS until FROM pg_roles WHERE rolname LIKE '${RUN_ROLE_PREFIX}%'`,
    );
    const stale = r.rows.filter((x) => all || !x.until || x.until.getTime() <= now).map((x) => x.rolname);
    for (const role of stale) await this.drop(role, all ? 'sweep on start' : 'expired');
    return stale;
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
    await this.pool.end();
  }
}
