// Per-run MySQL/MariaDB credentials: a user with a random password and column-level GRANT SELECT, logged in as for
// the run's queries; the owner lock is a GET_LOCK named lock, which the server frees when our connection dies.
import mysql from 'mysql2/promise';
import { UnavailableError } from '../core/errors.js';
import { quoteIdent } from './masking.js';
import type { MysqlTarget } from './mysql-engine.js';
import {
  EngineRunCredentials,
  type CredentialEvent,
  type RunCredentials,
  type RunGrant,
  type RunUserDriver,
} from './run-credentials.js';

/**
 * The engine-side backstop behind our sweeper. MariaDB's password lifetime counts in days only, so the run deadline
 * itself is enforced by the sweeper and by dropping the user at run end; the password expiry bounds a user that both
 * missed.
 */
const PASSWORD_LIFETIME = 'PASSWORD EXPIRE INTERVAL 1 DAY';

export function mysqlRunCredentials(target: MysqlTarget, onEvent?: (e: CredentialEvent) => void | Promise<void>) {
  return new EngineRunCredentials(new MysqlRunUsers(target), onEvent) as RunCredentials;
}

/** Run user names are generated ([a-z0-9_]); anything else never reaches a statement as a literal. */
function account(user: string): string {
  if (!/^gh_run_[a-z0-9_]{1,25}$/.test(user)) throw new UnavailableError(`'${user}' is not a Gatehouse run user`);
  return `'${user}'@'%'`;
}

export class MysqlRunUsers implements RunUserDriver {
  private readonly pool: mysql.Pool;
  private holder: Promise<mysql.Connection> | undefined;

  constructor(private readonly target: MysqlTarget) {
    this.pool = mysql.createPool({ ...target, connectionLimit: 2 });
  }

  async create(user: string, password: string, g: RunGrant): Promise<void> {
    const q = (id: string) => quoteIdent('mysql', id);
    // User DDL commits on its own in MySQL: undo the user if the grant fails, so no half-made login stays.
    await this.admin(
      `CREATE USER ${account(user)} IDENTIFIED BY '${password}' WITH MAX_USER_CONNECTIONS 2 ${PASSWORD_LIFETIME}`,
    );
    try {
      await this.admin(
        `GRANT SELECT (${g.columns.map(q).join(', ')}) ON ${q(g.schema)}.${q(g.table)} TO ${account(user)}`,
      );
    } catch (err) {
      await this.drop(user).catch(() => undefined);
      throw err;
    }
  }

  async drop(user: string): Promise<boolean> {
    const [found] = await this.admin('SELECT 1 AS x FROM mysql.user WHERE User = ? AND Host = ?', [user, '%']);
    if ((found as unknown[]).length === 0) return false;
    // DROP USER leaves open sessions working; end them first so the drop takes effect now.
    const [sessions] = await this.admin('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ?', [user]);
    for (const s of sessions as { id: number }[]) await this.admin(`KILL ${Number(s.id)}`).catch(() => undefined);
    await this.admin(`DROP USER IF EXISTS ${account(user)}`);
    return true;
  }

  async list(): Promise<string[]> {
    const [rows] = await this.admin("SELECT User AS u FROM mysql.user WHERE User LIKE 'gh\\_run\\_%' ORDER BY User");
    return (rows as { u: string }[]).map((r) => String(r.u));
  }

  async holdOwnerLock(owner: string): Promise<void> {
    this.holder ??= (async () => {
      const c = await mysql.createConnection(this.target);
      c.on('error', () => (this.holder = undefined));
      c.on('end', () => (this.holder = undefined));
      const [r] = await c.query('SELECT GET_LOCK(?, 10) AS got', [lockName(owner)]);
      if ((r as { got: number }[])[0].got !== 1) throw new Error('GET_LOCK timed out');
      return c;
    })().catch((err: unknown) => {
      this.holder = undefined;
      throw err;
    });
    await this.holder;
  }

  async ownerAlive(owner: string): Promise<boolean> {
    const [r] = await this.admin('SELECT IS_FREE_LOCK(?) AS free', [lockName(owner)]);
    return Number((r as { free: number }[])[0].free) !== 1;
  }

  private async admin(sql: string, params: unknown[] = []) {
    try {
      return await this.pool.query(sql, params);
    } catch (err) {
      throw new UnavailableError(`run credentials: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    const h = this.holder;
    this.holder = undefined;
    await h?.then((c) => c.end()).catch(() => undefined);
    await this.pool.end();
  }
}

function lockName(owner: string): string {
  return `gatehouse_run_owner_${owner}`;
}
