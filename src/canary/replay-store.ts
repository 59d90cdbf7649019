// The replay store: inputs of the version in force kept only so a canary can replay them, DLP-masked before they are
// written (every string leaf, so the JSON shape survives), each input's keyed hash in the audit log, pruned by age and
// by count per app.
import type { AuditSink } from '../core/sinks.js';
import type { Clock } from '../core/clock.js';
import type { SqlDb } from '../store/sql-db.js';

export interface ReplayStoreDeps {
  db: SqlDb;
  audit: AuditSink;
  clock: Clock;
  /** Masks sensitive values in one string (the DLP engine; asynchronous when it goes through the NER backend). */
  mask: (text: string) => string | Promise<string>;
  /** The audit log's keyed hash (so equal inputs can be matched without storing them in the log). */
  hash: (text: string) => string;
  retentionMs: number;
  maxPerApp: number;
}

export async function maskLeaves(v: unknown, mask: (s: string) => string | Promise<string>): Promise<unknown> {
  if (typeof v === 'string') return mask(v);
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) out.push(await maskLeaves(x, mask));
    return out;
  }
  if (v && typeof v === 'object') {
    // Entries, not assignment: a `__proto__` key (JSON.parse makes it an own property) must stay a property.
    const out: [string, unknown][] = [];
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out.push([k, await maskLeaves(x, mask)]);
    return Object.fromEntries(out);
  }
  return v;
}

export class ReplayStore {
  private writes = 0;
  constructor(private readonly deps: ReplayStoreDeps) {}

  async record(app: string, version: number, input: unknown): Promise<void> {
    const now = this.deps.clock.now();
    const inputHash = this.deps.hash(JSON.stringify(input ?? null));
    const masked = JSON.stringify(await maskLeaves(input ?? null, this.deps.mask));
    await this.deps.db.run(
      'INSERT INTO canary_replay_inputs (app, version, input_hash, masked_input, created_at) VALUES (?, ?, ?, ?, ?)',
      [app, version, inputHash, masked, now],
    );
    await this.deps.audit
      .append({ type: 'canary.input_recorded', actor: 'gatehouse', app, appVersion: version, data: { inputHash } })
      .catch(() => undefined);
    if (++this.writes % 50 === 1) await this.prune(app);
  }

  /** The newest `n` recorded inputs of an app version (masked), oldest first. */
  async sample(app: string, version: number, n: number): Promise<unknown[]> {
    await this.prune(app);
    const rows = await this.deps.db.all<{ masked_input: string }>(
      'SELECT masked_input FROM canary_replay_inputs WHERE app = ? AND version = ? ORDER BY id DESC LIMIT ?',
      [app, version, n],
    );
    return rows.reverse().map((r) => JSON.parse(r.masked_input) as unknown);
  }

  /** Drops inputs past the retention window, then all but the newest maxPerApp of the app. */
  async prune(app: string): Promise<void> {
    await this.deps.db.run('DELETE FROM canary_replay_inputs WHERE created_at < ?', [
      this.deps.clock.now() - this.deps.retentionMs,
    ]);
    const cut = await this.deps.db.get<{ id: number }>(
      'SELECT id FROM canary_replay_inputs WHERE app = ? ORDER BY id DESC LIMIT 1 OFFSET ?',
      [app, this.deps.maxPerApp],
    );
    if (cut) await this.deps.db.run('DELETE FROM canary_replay_inputs WHERE app = ? AND id <= ?', [app, cut.id]);
  }
}
