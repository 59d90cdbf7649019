// Webhook notifications: JSON POST (or a Slack-compatible payload) per event, retried with exponential backoff.
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { NotifyConfig, NotifyEventType, WebhookTarget } from './notify-config.js';
import { sendWebhook, type DeliveryPolicy, type WebhookRequest } from './webhook-sender.js';
import type { WebhookOutbox } from './webhook-outbox.js';

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

/** The delivery policy for a notify target's URL (its secret signs the body); shared with the outbox. */
export function notifyPolicyFor(cfg: NotifyConfig): (url: string) => DeliveryPolicy {
  return (url) => ({
    retries: cfg.retries,
    timeoutMs: cfg.timeoutMs,
    backoffMs: cfg.backoffMs,
    maxBackoffMs: cfg.maxBackoffMs,
    secret: cfg.webhooks.find((t) => t.url === url)?.secret,
  });
}

export class WebhookNotifier implements Notifier {
  private inflight = new Set<Promise<void>>();
  private readonly policyFor: (url: string) => DeliveryPolicy;

  constructor(
    private readonly cfg: NotifyConfig,
    private readonly logger: Logger,
    /** Sees every final outcome (tests, metrics). */
    private readonly onOutcome: (o: DeliveryOutcome) => void = () => {},
    /** Keeps failed deliveries and retries them after a restart; without it a failure is final. */
    private readonly outbox?: WebhookOutbox,
  ) {
    this.policyFor = notifyPolicyFor(cfg);
  }

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
    const req: WebhookRequest = {
      url: target.url,
      body,
      headers: { 'x-gatehouse-event': event.type, 'x-gatehouse-delivery': deliveryId },
    };
    const out = this.outbox ? await this.outbox.send(req) : await sendWebhook(req, this.policyFor(target.url));
    if (!out.ok)
      this.logger.warn('webhook delivery failed', {
        url: target.url,
        event: event.type,
        deliveryId,
        attempts: out.attempts,
        error: out.error,
      });
    this.onOutcome({ url: target.url, event: event.type, deliveryId, ...out });
  }
}
