// The decision log: a DecisionSink that batches writes off the hot path, masks sensitive input, and answers queries.
import type { Decision, DecisionSink, GovernanceRequest } from '../core/governance.js';
import type { Logger } from '../core/logger.js';
import type { SqlDb } from '../store/sql-db.js';

export const DEFAULT_MASKED_FIELDS = [
  'prompt',
  'prompts',
  'messages',
  'input',
  'output',
  'body',
  'content',
  'text',
  'headers',
  'authorization',
  'cookie',
  'password',
  'secret',
  'token',
  'apikey',
  'api_key',
  'values',
  'rows',
];
export const MASK = '[masked]';

export interface DecisionLogOptions {
  flushIntervalMs?: number;
  batchSize?: number;
  /** Records kept in memory while the store is slow; beyond this the oldest are dropped (and counted). */
  maxBuffered?: number;
  /** Request field names (any depth, case-insensitive) whose values are masked; callers may add `request.sensitiveFields`. */
  maskedFields?: readonly string[];
}

export interface DecisionQuery {
  app?: string;
  action?: string;
  effect?: string;
  user?: string;
  since?: number;
  until?: number;
  limit?: number;
}

export interface LoggedDecision extends Decision {
  app: string | null;
  appVersion: number | null;
  action: string;
  subject: string;
  resource: { type: string; id: string };
  traceId: string | null;
  input: GovernanceRequest;
}

function maskValue(v: unknown, masked: ReadonlySet<string>): unknown {
  if (Array.isArray(v)) return v.map((x) => maskValue(x, masked));
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = masked.has(k.toLowerCase()) ? MASK : maskValue(x, masked);
  return out;
}

/** The request with values of sensitive fields replaced by [masked]; the rest is kept so simulation can replay it. */
export function maskInput(
  req: GovernanceRequest,
  fields: readonly string[] = DEFAULT_MASKED_FIELDS,
): GovernanceRequest {
  return maskWith(req, maskedSet(fields));
}

/** The lower-cased field set, built once per field list (decisions are recorded on every governed call). */
const maskedSets = new WeakMap<readonly string[], ReadonlySet<string>>();
function maskedSet(fields: readonly string[]): ReadonlySet<string> {
  let set = maskedSets.get(fields);
  if (!set) maskedSets.set(fields, (set = new Set(fields.map((f) => f.toLowerCase()))));
  return set;
}

function maskWith(req: GovernanceRequest, base: ReadonlySet<string>): GovernanceRequest {
  const tagged = Array.isArray(req.request?.sensitiveFields)
    ? (req.request.sensitiveFields as unknown[]).map(String)
    : [];
  const masked = tagged.length ? new Set([...base, ...tagged.map((f) => f.toLowerCase())]) : base;
  return { ...req, request: maskValue(req.request ?? {}, masked) as Record<string, unknown> };
}

type Row = Record<string, unknown>;

/** A queued row whose decision refused (deny or require_approval); its matched policies were enforcing. */
function isEnforcingRefusal(row: unknown[]): boolean {
  return row[EFFECT] === 'deny' || row[EFFECT] === 'require_approval';
}
const COLUMNS = [
  'id',
  'time',
  'app',
  'app_version',
  'action',
  'subject',
  'resource_type',
  'resource_id',
  'effect',
  'reason',
  'matched',
  'obligations',
  'warnings',
  'errors',
  'bundle_revision',
  'trace_id',
  'input',
];
const EFFECT = COLUMNS.indexOf('effect');
const INSERT = `INSERT INTO policy_decisions (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`;

export class DecisionLog implements DecisionSink {
  private buffer: unknown[][] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  /** Records dropped because the buffer overflowed or a write failed. */
  dropped = 0;
  private readonly opts: Required<DecisionLogOptions>;

  constructor(
    private readonly db: SqlDb,
    private readonly logger: Logger,
    opts: DecisionLogOptions = {},
  ) {
    this.opts = {
      flushIntervalMs: 200,
      batchSize: 200,
      maxBuffered: 20_000,
      maskedFields: DEFAULT_MASKED_FIELDS,
      ...opts,
    };
  }

  /** O(1) on the hot path: builds the row and queues it; the write happens in a batch shortly after. */
  record(d: Decision, req: GovernanceRequest): void {
    const input = maskInput(req, this.opts.maskedFields);
    this.buffer.push([
      d.id,
      d.time,
      req.app?.name ?? req.subject.app ?? null,
      req.app?.version ?? req.subject.appVersion ?? null,
      req.action,
      req.subject.user,
      req.resource.type,
      req.resource.id,
      d.effect,
      d.reason,
      JSON.stringify(d.matched),
      JSON.stringify(d.obligations),
      JSON.stringify(d.warnings),
      JSON.stringify(d.errors),
      d.bundleRevision,
      req.traceId ?? null,
      JSON.stringify(input),
    ]);
    if (this.buffer.length > this.opts.maxBuffered) this.shed();
    if (this.buffer.length >= this.opts.batchSize) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.opts.flushIntervalMs);
      this.timer.unref();
    }
  }

  /**
   * Drops the oldest record that is not an enforcing refusal, counting it. Refusals are the evidence an operator
   * needs, so they are kept even past the limit (the buffer then grows until the store takes them).
   */
  private shed(): void {
    const i = this.buffer.findIndex((row) => !isEnforcingRefusal(row));
    if (i < 0) return;
    this.buffer.splice(i, 1);
    this.dropped++;
  }

  /** Writes everything queued so far (one transaction per batch); resolves when it is stored or dropped. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // One write in flight at a time: while the store is slow, records wait in the bounded buffer (where shed()
    // applies) instead of piling up in a promise chain.
    this.writing ??= this.drain().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer;
      this.buffer = [];
      try {
        await this.db.transaction(async (tx) => {
          for (const row of batch) await tx.run(INSERT, row);
        });
      } catch (err) {
        // Refusals go back to the queue for the next flush; the rest are dropped and counted.
        const kept = batch.filter(isEnforcingRefusal);
        this.dropped += batch.length - kept.length;
        this.buffer.unshift(...kept);
        this.logger.error('decision log write failed; allows dropped, refusals kept for the next flush', {
          dropped: batch.length - kept.length,
          kept: kept.length,
          error: (err as Error).message,
        });
        if (this.buffer.length && !this.timer) {
          this.timer = setTimeout(() => void this.flush(), this.opts.flushIntervalMs);
          this.timer.unref();
        }
        return;
      }
    }
  }

  async query(q: DecisionQuery): Promise<LoggedDecision[]> {
    await this.flush();
    const where: string[] = [];
    const params: unknown[] = [];
    const eq = (col: string, v: unknown) => {
      if (v !== undefined) {
        where.push(`${col} = ?`);
        params.push(v);
      }
    };
    eq('app', q.app);
    eq('action', q.action);
    eq('effect', q.effect);
    eq('subject', q.user);
    if (q.since !== undefined) {
      where.push('time >= ?');
      params.push(q.since);
    }
    if (q.until !== undefined) {
      where.push('time < ?');
      params.push(q.until);
    }
    const limit = Number.isInteger(q.limit) ? Math.min(Math.max(q.limit!, 1), 10_000) : 100;
    // The sort runs on ids only and the rows are sorted again here: sorting whole rows (the masked input is ~1.5 KB)
    // made SQLite's temporary sort the larger part of reading 10,000 decisions for a simulation.
    const sql = `SELECT * FROM policy_decisions WHERE id IN (SELECT id FROM policy_decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, id DESC LIMIT ${limit})`;
    const rows = await this.db.all<Row>(sql, params);
    return rows.map(toLogged).sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  async get(id: string): Promise<LoggedDecision | undefined> {
    await this.flush();
    const row = await this.db.get<Row>('SELECT * FROM policy_decisions WHERE id = ?', [id]);
    return row ? toLogged(row) : undefined;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

function toLogged(r: Row): LoggedDecision {
  const j = <T>(k: string): T => JSON.parse(String(r[k])) as T;
  return {
    id: String(r.id),
    time: Number(r.time),
    effect: r.effect as Decision['effect'],
    reason: String(r.reason),
    obligations: j('obligations'),
    warnings: j('warnings'),
    matched: j('matched'),
    errors: j('errors'),
    bundleRevision: String(r.bundle_revision),
    app: r.app === null ? null : String(r.app),
    appVersion: r.app_version === null ? null : Number(r.app_version),
    action: String(r.action),
    subject: String(r.subject),
    resource: { type: String(r.resource_type), id: String(r.resource_id) },
    traceId: r.trace_id === null ? null : String(r.trace_id),
    input: j('input'),
  };
}
