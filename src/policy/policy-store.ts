// Bundle revisions and activations in the store: revisions are immutable; the latest activation is the active one.
import { ConflictError, NotFoundError } from '../core/errors.js';
import type { SqlDb } from '../store/sql-db.js';
import type { CompiledBundle, PolicyFile } from './compiler.js';

export interface RevisionInfo {
  revision: string;
  hash: string;
  createdAt: number;
  createdBy: string;
  policyCount: number;
  policies: string[];
  active: boolean;
}

export interface StoredRevision extends RevisionInfo {
  files: PolicyFile[];
}

export interface Activation {
  id: number;
  revision: string;
  previous: string | null;
  activatedAt: number;
  activatedBy: string;
}

interface RevisionRow {
  revision: string;
  hash: string;
  created_at: number | string;
  created_by: string;
  policy_count: number | string;
  policy_names: string;
  files?: string;
}

interface ActivationRow {
  id: number | string;
  revision: string;
  previous: string | null;
  activated_at: number | string;
  activated_by: string;
}

const toActivation = (r: ActivationRow): Activation => ({
  id: Number(r.id),
  revision: r.revision,
  previous: r.previous,
  activatedAt: Number(r.activated_at),
  activatedBy: r.activated_by,
});

export class PolicyStore {
  constructor(private readonly db: SqlDb) {}

  /** Stores a compiled bundle's source under its revision; storing the same content twice is a no-op. */
  async saveRevision(
    bundle: CompiledBundle,
    files: readonly PolicyFile[],
    actor: string,
    now: number,
  ): Promise<boolean> {
    const r = await this.db.run(
      'INSERT INTO policy_revisions (revision, hash, created_at, created_by, policy_count, policy_names, files) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (revision) DO NOTHING',
      [
        bundle.revision,
        bundle.hash,
        now,
        actor,
        bundle.policies.length,
        JSON.stringify(bundle.policies.map((p) => p.name)),
        JSON.stringify(files),
      ],
    );
    return r.changes > 0;
  }

  async activeRevision(): Promise<string | undefined> {
    const row = await this.db.get<{ revision: string }>(
      'SELECT revision FROM policy_activations ORDER BY id DESC LIMIT 1',
    );
    return row?.revision;
  }

  private info(r: RevisionRow, active: string | undefined): RevisionInfo {
    return {
      revision: r.revision,
      hash: r.hash,
      createdAt: Number(r.created_at),
      createdBy: r.created_by,
      policyCount: Number(r.policy_count),
      policies: JSON.parse(r.policy_names) as string[],
      active: r.revision === active,
    };
  }

  async getRevision(revision: string): Promise<StoredRevision> {
    const row = await this.db.get<RevisionRow>('SELECT * FROM policy_revisions WHERE revision = ?', [revision]);
    if (!row) throw new NotFoundError('Policy revision', revision, 'list revisions with `gatehouse policy list`');
    return { ...this.info(row, await this.activeRevision()), files: JSON.parse(row.files ?? '[]') as PolicyFile[] };
  }

  async listRevisions(): Promise<RevisionInfo[]> {
    const active = await this.activeRevision();
    const rows = await this.db.all<RevisionRow>(
      'SELECT revision, hash, created_at, created_by, policy_count, policy_names FROM policy_revisions ORDER BY created_at DESC, revision',
    );
    return rows.map((r) => this.info(r, active));
  }

  /** Makes `revision` the active one and records who did it; activating the active revision is a conflict. */
  async activate(revision: string, actor: string, now: number): Promise<Activation> {
    return this.db.transaction(async (tx) => {
      const exists = await tx.get('SELECT revision FROM policy_revisions WHERE revision = ?', [revision]);
      if (!exists)
        throw new NotFoundError(
          'Policy revision',
          revision,
          'apply a bundle with `gatehouse policy apply <dir>` or pick one from `gatehouse policy list`',
        );
      const current = await tx.get<{ revision: string }>(
        'SELECT revision FROM policy_activations ORDER BY id DESC LIMIT 1',
      );
      if (current?.revision === revision)
        throw new ConflictError(`Policy revision ${revision} is already active.`, { revision });
      await tx.run(
        'INSERT INTO policy_activations (revision, previous, activated_at, activated_by) VALUES (?, ?, ?, ?)',
        [revision, current?.revision ?? null, now, actor],
      );
      const row = await tx.get<ActivationRow>('SELECT * FROM policy_activations ORDER BY id DESC LIMIT 1');
      return toActivation(row!);
    });
  }

  async activations(limit = 100): Promise<Activation[]> {
    const rows = await this.db.all<ActivationRow>('SELECT * FROM policy_activations ORDER BY id DESC LIMIT ?', [limit]);
    return rows.map(toActivation);
  }
}
