// The webhook outbox: every delivery is stored before it is sent and kept until it succeeds, so a notification
// that failed (receiver down) or was in flight when the process died is sent again after a restart.
import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { startReconcileLoop, type ReconcileLoop } from '../coord/reconcile-loop.js';
import type { SqlDb } from '../store/sql-db.js';
import { sendWebhook, type DeliveryOutcome, type DeliveryPolicy, type WebhookRequest } from './webhook-sender.js';

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

export interface OutboxOptions {
  db: SqlDb;
  clock: Clock;
  logger: Logger;
  /** Rows of this kind belong to this outbox ('notify', 'alert'); each feature sweeps its own. */
  kind: string;
  /** The policy (timeouts, retries, signing secret) for a URL, read at each attempt so a rotated secret applies. */
  policyFor(url: string): DeliveryPolicy;
  /** How often due deliveries are retried (0: never in the background); 15 s by default. */
  sweepMs?: number;
  /** After this long a delivery is given up (status failed); 24 h by default. */
  giveUpAfterMs?: number;
}

interface Row {
  id: string;
  url: string;
  body: string;
  content_type: string;
  headers_json: string;
  attempts: number;
  next_at: number;
  created_at: number;
}

/** While one replica sends, others leave the row alone this long. */
const CLAIM_MS = 60_000;

export class WebhookOutbox {
  private sweeper: ReconcileLoop | undefined;

  constructor(private readonly o: OutboxOptions) {}

  start(): void {
    this.sweeper = startReconcileLoop({
      everyMs: this.o.sweepMs ?? 15_000,
      run: async () => {
        await this.retryDue();
      },
      component: `webhook-outbox-${this.o.kind}`,
      failure: 'webhook deliveries not retried (outbox unreadable)',
      logger: this.o.logger,
    });
  }

  stop(): void {
    this.sweeper?.stop();
  }

  /** Stores the delivery, sends it now (with the policy's retries) and returns the outcome; kept for later if it failed. */
  async send(req: WebhookRequest): Promise<DeliveryOutcome> {
    const now = this.o.clock.now();
    const id = newId('whk', now);
    await this.o.db.run(
      `INSERT INTO webhook_outbox (id, kind, url, body, content_type, headers_json, status, attempts, next_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
      [
        id,
        this.o.kind,
        req.url,
        req.body,
        req.contentType ?? 'application/json',
        JSON.stringify(req.headers ?? {}),
        now + CLAIM_MS,
        now,
      ],
    );
    return this.attempt(id, req, 0, now);
  }

  /** Sends every delivery of this kind that is due (also the ones a dead process left in flight). */
  async retryDue(): Promise<number> {
    const now = this.o.clock.now();
    const rows = await this.o.db.all<Row>(
      `SELECT id, url, body, content_type, headers_json, attempts, next_at, created_at FROM webhook_outbox
       WHERE kind = ? AND status = 'pending' AND next_at <= ? ORDER BY next_at LIMIT 50`,
      [this.o.kind, now],
    );
    let sent = 0;
    for (const r of rows) {
      // Claim it: another replica sweeping at the same moment sees next_at moved and skips the row.
      const claim = await this.o.db.run(`UPDATE webhook_outbox SET next_at = ? WHERE id = ? AND next_at = ?`, [
        now + CLAIM_MS,
        r.id,
        r.next_at,
      ]);
      if (claim.changes !== 1) continue;
      const req = {
        url: r.url,
        body: r.body,
        contentType: r.content_type,
        headers: JSON.parse(r.headers_json) as Record<string, string>,
      };
      if ((await this.attempt(r.id, req, Number(r.attempts), Number(r.created_at))).ok) sent++;
    }
    return sent;
  }

  async count(status: OutboxStatus): Promise<number> {
    const r = await this.o.db.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM webhook_outbox WHERE kind = ? AND status = ?',
      [this.o.kind, status],
    );
    return Number(r?.n ?? 0);
  }

  private async attempt(id: string, req: WebhookRequest, before: number, createdAt: number): Promise<DeliveryOutcome> {
    const out = await sendWebhook(req, this.o.policyFor(req.url));
    const attempts = before + out.attempts;
    const now = this.o.clock.now();
    // A 4xx other than 408/429 means the payload or URL is wrong: sending it again cannot help.
    const hopeless = out.status !== undefined && out.status < 500 && out.status !== 408 && out.status !== 429;
    const expired = now - createdAt >= (this.o.giveUpAfterMs ?? 86_400_000);
    const status: OutboxStatus = out.ok ? 'delivered' : hopeless || expired ? 'failed' : 'pending';
    // Background retries back off: 30 s, 1 min, 2 min ... at most 1 h apart.
    const next = now + Math.min(3_600_000, 30_000 * 2 ** Math.min(10, Math.max(0, attempts - 1)));
    await this.o.db.run(
      `UPDATE webhook_outbox SET status = ?, attempts = ?, next_at = ?, last_error = ?, done_at = ? WHERE id = ?`,
      [status, attempts, next, out.error ?? null, status === 'pending' ? null : now, id],
    );
    if (status === 'failed')
      this.o.logger.warn('webhook delivery given up', { url: req.url, attempts, error: out.error });
    return out;
  }
}
