// Webhook notifications: JSON POST (or a Slack-compatible payload) per event, retried with exponential backoff.
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { NotifyConfig, NotifyEventType, WebhookTarget } from './notify-config.js';

export interface NotifyEvent {
  type: NotifyEventType;
  /** Epoch ms (from the injected clock). */
  time: number;
  /** One line a person can read (the Slack text). */
  text: string;
  /** Event facts: approval id, app, version, tier, roles, due time, decision ... (never PII values). */
  data: Record<string, unknown>;
}

export interface Notifier {
  /** Queues delivery to every target that wants this event; never throws and never blocks the caller. */
  notify(event: NotifyEvent): void;
  /** Resolves once every queued delivery has succeeded or given up (tests, shutdown). */
  drain(): Promise<void>;
}

export const nullNotifier: Notifier = { notify: () => {}, drain: async () => {} };

export interface DeliveryOutcome {
  url: string;
  event: NotifyEventType;
  deliveryId: string;
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

export function slackPayload(e: NotifyEvent): Record<string, unknown> {
  const facts = Object.entries(e.data)
    .filter(([, v]) => v !== undefined && v !== null && typeof v !== 'object')
    .map(([k, v]) => `*${k}*: ${String(v)}`)
    .join('  ');
  return {
    text: e.text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: e.text } },
      ...(facts ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: facts }] }] : []),
    ],
  };
}

export class WebhookNotifier implements Notifier {
  private inflight = new Set<Promise<void>>();

  constructor(
    private readonly cfg: NotifyConfig,
    private readonly logger: Logger,
    /** Sees every final outcome (tests, metrics). */
    private readonly onOutcome: (o: DeliveryOutcome) => void = () => {},
  ) {}

  notify(event: NotifyEvent): void {
    for (const target of this.cfg.webhooks) {
      if (target.events && !target.events.includes(event.type)) continue;
      const p = this.deliver(target, event).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
  }

  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  private async deliver(target: WebhookTarget, event: NotifyEvent): Promise<void> {
    const deliveryId = newId('ntf', event.time);
    const body = JSON.stringify(
      target.format === 'slack'
        ? slackPayload(event)
        : {
            id: deliveryId,
            event: event.type,
            time: new Date(event.time).toISOString(),
            text: event.text,
            data: event.data,
          },
    );
    const policy = retry(
      handleWhen((e) => e instanceof DeliveryError && e.retryable),
      {
        maxAttempts: this.cfg.retries,
        backoff: new ExponentialBackoff({ initialDelay: this.cfg.backoffMs, maxDelay: this.cfg.maxBackoffMs }),
      },
    );
    let attempts = 0;
    let status: number | undefined;
    try {
      await policy.execute(async () => {
        attempts++;
        let res: Response;
        try {
          res = await fetch(target.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-gatehouse-event': event.type,
              'x-gatehouse-delivery': deliveryId,
            },
            body,
            signal: AbortSignal.timeout(this.cfg.timeoutMs),
          });
        } catch (err) {
          throw new DeliveryError(`cannot reach ${target.url}: ${(err as Error).message}`, true);
        }
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        // 408, 429 and 5xx may pass; other 4xx mean the payload or URL is wrong, so retrying cannot help.
        if (!res.ok)
          throw new DeliveryError(
            `${target.url} answered ${res.status}`,
            res.status === 408 || res.status === 429 || res.status >= 500,
            res.status,
          );
      });
      this.onOutcome({ url: target.url, event: event.type, deliveryId, ok: true, attempts, status });
    } catch (err) {
      this.logger.warn('webhook delivery failed', {
        url: target.url,
        event: event.type,
        deliveryId,
        attempts,
        error: (err as Error).message,
      });
      this.onOutcome({
        url: target.url,
        event: event.type,
        deliveryId,
        ok: false,
        attempts,
        status,
        error: (err as Error).message,
      });
    }
  }
}
