// The per-run database credential contract shared by PostgreSQL and MySQL/MariaDB (Vault-style): a short-lived login
// with SELECT on exactly the approved columns, dropped at run end, and swept when its run expired or its server died.
import { createHash, randomBytes } from 'node:crypto';
import { UnavailableError } from '../core/errors.js';

/** Every run user starts with this, so a sweeper finds users left behind by a crashed server. */
export const RUN_ROLE_PREFIX = 'gh_run_';

export interface RunGrant {
  runId: string;
  /** The Dataset the login serves: two Datasets over one table in a run get a login each. */
  dataset: string;
  /** PostgreSQL schema; MySQL database. */
  schema: string;
  table: string;
  columns: readonly string[];
  /** When the login stops working (the run's deadline); the sweeper drops it after this. */
  expiresAt: number;
}

/** What a run's queries log in as. The app never sees it. */
export interface RunLogin {
  user: string;
  password: string;
  expiresAt: number;
}

export type CredentialEvent = { type: 'created' | 'dropped'; role: string; runId?: string; reason?: string };

export interface RunCredentials {
  /** This server's owner tag, held as an engine lock while it lives (so sweepers elsewhere can tell it is alive). */
  readonly owner: string;
  issue(g: RunGrant): Promise<RunLogin>;
  /** Drops a run user and its grants; a missing user is fine (already swept). */
  drop(user: string, reason?: string): Promise<void>;
  /** Drops run users whose run expired or whose owning server is gone (crash, kill); returns their names. */
  sweep(now: number): Promise<string[]>;
  /** Every run user on the engine, whoever owns it. */
  list(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The name carries what a sweeper needs without any table of our own in the customer's database: the expiry (seconds,
 * base 36), the owning server's tag and a hash of run and dataset. 31 characters, inside MySQL's 32.
 */
export function runUserName(owner: string, expiresAt: number, key: string): string {
  const exp = Math.ceil(expiresAt / 1000).toString(36);
  const h = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return `${RUN_ROLE_PREFIX}${exp}_${owner}_${h}`;
}

export function parseRunUser(name: string): { expiresAt: number; owner: string } | undefined {
  const m = /^gh_run_([0-9a-z]+)_([0-9a-f]{8})_[0-9a-f]{8}$/.exec(name);
  if (!m) return undefined;
  return { expiresAt: parseInt(m[1], 36) * 1000, owner: m[2] };
}

/** The engine-specific half: users, grants and the owner lock. */
export interface RunUserDriver {
  create(user: string, password: string, g: RunGrant): Promise<void>;
  /** Returns false when the user did not exist. */
  drop(user: string): Promise<boolean>;
  list(): Promise<string[]>;
  /**
   * Takes the owner lock on a connection kept open for the server's life (the engine frees it when we die); called on
   * every issue, so it is cheap once held and retaken after that connection was lost.
   */
  holdOwnerLock(owner: string): Promise<void>;
  ownerAlive(owner: string): Promise<boolean>;
  close(): Promise<void>;
}

export class EngineRunCredentials implements RunCredentials {
  readonly owner = randomBytes(4).toString('hex');

  /** @param onEvent records created/dropped (the caller audits them). */
  constructor(
    private readonly driver: RunUserDriver,
    private readonly onEvent: (e: CredentialEvent) => void | Promise<void> = () => undefined,
  ) {}

  async issue(g: RunGrant): Promise<RunLogin> {
    if (g.columns.length === 0) throw new UnavailableError(`run ${g.runId} was approved for no columns`);
    // The lock comes first: a user must never exist while its owner looks dead to another server's sweeper.
    await this.driver.holdOwnerLock(this.owner).catch((err: Error) => {
      throw new UnavailableError(`run credentials: cannot hold the owner lock: ${err.message}`);
    });
    const user = runUserName(this.owner, g.expiresAt, `${g.runId}\0${g.dataset}\0${g.schema}\0${g.table}`);
    const password = randomBytes(24).toString('hex');
    await this.driver.create(user, password, g);
    await this.onEvent({ type: 'created', role: user, runId: g.runId });
    return { user, password, expiresAt: g.expiresAt };
  }

  async drop(user: string, reason = 'run ended'): Promise<void> {
    if (!user.startsWith(RUN_ROLE_PREFIX)) throw new UnavailableError(`'${user}' is not a Gatehouse run user`);
    if (await this.driver.drop(user)) await this.onEvent({ type: 'dropped', role: user, reason });
  }

  async sweep(now: number): Promise<string[]> {
    const alive = new Map<string, Promise<boolean>>([[this.owner, Promise.resolve(true)]]);
    const dropped: string[] = [];
    const failed: string[] = [];
    for (const user of await this.driver.list()) {
      const p = parseRunUser(user);
      // A name this code did not make (another version's, someone else's) is not ours to judge: leave it.
      if (!p) continue;
      let reason: string | undefined;
      if (p.expiresAt <= now) reason = 'expired';
      else {
        if (!alive.has(p.owner)) alive.set(p.owner, this.driver.ownerAlive(p.owner));
        if (!(await alive.get(p.owner))) reason = 'its server is gone';
      }
      if (!reason) continue;
      // One user that cannot be dropped must not keep the sweep from the others; the failure is reported after.
      await this.drop(user, `sweep: ${reason}`).then(
        () => dropped.push(user),
        (err: Error) => failed.push(`${user}: ${err.message}`),
      );
    }
    if (failed.length) throw new UnavailableError(`run credentials: could not drop ${failed.join('; ')}`);
    return dropped;
  }

  list(): Promise<string[]> {
    return this.driver.list();
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
