// Per-call cost rows for attribution (`gatehouse costs`): written behind in batches (1 s / 500 rows) so the hot path
// does not wait on the store, and grouped by model, app, user, day, key or team on query.
import type { Logger } from '../core/logger.js';
import type { SqlDb } from '../store/sql-db.js';
import { nanosToUsd } from './tokens.js';

export interface CostRow {
  time: number;
  decisionId?: string;
  app: string;
  appVersion: number;
  user: string;
  session?: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  costNanos: number;
  outcome: string;
  /** The gateway key the call came with, and its metadata. */
  keyId?: string;
  team?: string;
  costCenter?: string;
}

export const COST_GROUPS = ['model', 'app', 'user', 'day', 'key', 'team'] as const;
export type CostGroup = (typeof COST_GROUPS)[number];

export interface CostQuery {
  app?: string;
  user?: string;
  key?: string;
  team?: string;
  /** Epoch ms. */
  since?: number;
  by?: CostGroup;
}

export interface CostLine {
  key: string;
  requests: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

const COLUMN: Record<CostGroup, string> = {
  model: 'model',
  app: 'app',
  user: 'user_name',
  day: 'day',
  key: "COALESCE(key_id, '(no key)')",
  team: "COALESCE(team, '(no team)')",
};

export class CostLedger {
  private buffer: CostRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: SqlDb,
    private readonly logger: Logger,
    private readonly flushMs = 1000,
  ) {}

  add(row: CostRow): void {
    this.buffer.push(row);
    // Early flush only for bursts beyond ~a second at top speed: each transaction is an fsync on the event loop.
    if (this.buffer.length >= 5000) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes what is buffered (one transaction); resolves when everything added so far is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.buffer;
    this.buffer = [];
    if (rows.length) {
      this.writing = this.writing.then(() =>
        this.db
          .transaction(async (tx) => {
            for (const r of rows) {
              await tx.run(
                'INSERT INTO gateway_costs (time, day, decision_id, app, app_version, user_name, session, model, tokens_in, tokens_out, cost_nanos, outcome, key_id, team, cost_center) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                [
                  r.time,
                  new Date(r.time).toISOString().slice(0, 10),
                  r.decisionId ?? null,
                  r.app,
                  r.appVersion,
                  r.user,
                  r.session ?? null,
                  r.model,
                  r.tokensIn,
                  r.tokensOut,
                  r.costNanos,
                  r.outcome,
                  r.keyId ?? null,
                  r.team ?? null,
                  r.costCenter ?? null,
                ],
              );
            }
          })
          .catch((err: unknown) =>
            this.logger.error('gateway cost rows not stored', { rows: rows.length, err: String(err) }),
          ),
      );
    }
    return this.writing;
  }

  async query(q: CostQuery): Promise<{ by: CostGroup; lines: CostLine[]; total: CostLine }> {
    await this.flush();
    const by = q.by ?? 'model';
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.app) {
      where.push('app = ?');
      params.push(q.app);
    }
    if (q.user) {
      where.push('user_name = ?');
      params.push(q.user);
    }
    if (q.key) {
      where.push('key_id = ?');
      params.push(q.key);
    }
    if (q.team) {
      where.push('team = ?');
      params.push(q.team);
    }
    if (q.since !== undefined) {
      where.push('time >= ?');
      params.push(q.since);
    }
    const col = COLUMN[by];
    const rows = await this.db.all<{ k: string; n: number; ti: number; to: number; c: number }>(
      `SELECT ${col} AS k, COUNT(*) AS n, SUM(tokens_in) AS ti, SUM(tokens_out) AS "to", SUM(cost_nanos) AS c FROM gateway_costs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} GROUP BY ${col} ORDER BY SUM(cost_nanos) DESC, ${col}`,
      params,
    );
    const lines = rows.map((r) => ({
      key: String(r.k),
      requests: Number(r.n),
      tokensIn: Number(r.ti),
      tokensOut: Number(r.to),
      costUsd: nanosToUsd(Number(r.c)),
    }));
    const total = lines.reduce(
      (t, l) => ({
        key: 'total',
        requests: t.requests + l.requests,
        tokensIn: t.tokensIn + l.tokensIn,
        tokensOut: t.tokensOut + l.tokensOut,
        costUsd: t.costUsd + l.costUsd,
      }),
      { key: 'total', requests: 0, tokensIn: 0, tokensOut: 0, costUsd: 0 },
    );
    return { by, lines, total };
  }

  /** Spend per app recorded on `day` (YYYY-MM-DD, UTC), in nano-USD: what the daily budgets are rebuilt from. */
  async spentOn(day: string): Promise<{ app: string; costNanos: number }[]> {
    await this.flush();
    const rows = await this.db.all<{ app: string; c: number }>(
      'SELECT app, SUM(cost_nanos) AS c FROM gateway_costs WHERE day = ? GROUP BY app',
      [day],
    );
    return rows.map((r) => ({ app: r.app, costNanos: Number(r.c) }));
  }

  /** Spend per key on `day` and in its month so far (nano-USD): what the keys' budgets are rebuilt from. */
  async keySpent(day: string): Promise<{ key: string; dayNanos: number; monthNanos: number }[]> {
    await this.flush();
    const rows = await this.db.all<{ k: string; d: number; m: number }>(
      'SELECT key_id AS k, SUM(CASE WHEN day = ? THEN cost_nanos ELSE 0 END) AS d, SUM(cost_nanos) AS m FROM gateway_costs WHERE key_id IS NOT NULL AND day >= ? AND day <= ? GROUP BY key_id',
      [day, `${day.slice(0, 7)}-01`, day],
    );
    return rows.map((r) => ({ key: r.k, dayNanos: Number(r.d), monthNanos: Number(r.m) }));
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
