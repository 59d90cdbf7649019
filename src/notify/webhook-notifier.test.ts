// Webhook notifier against a real HTTP receiver on 127.0.0.1: retries with backoff, Slack payloads, no retry on 400.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../core/logger.js';
import { notifyConfigSchema } from './notify-config.js';
import { WebhookNotifier, type DeliveryOutcome } from './webhook-notifier.js';

interface Hit {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

describe('WebhookNotifier', () => {
  let server: Server;
  let base = '';
  const hits: Hit[] = [];
  /** Per path: statuses to answer in order, then 200. */
  const script = new Map<string, number[]>();

  before(async () => {
    server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        hits.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(data) });
        const s = script.get(req.url ?? '') ?? [];
        res.statusCode = s.shift() ?? 200;
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const event = {
    type: 'approval.requested' as const,
    time: Date.parse('2026-01-01T00:00:00Z'),
    text: 'App crm-bot v2 needs review by data_owner, security',
    data: { approvalId: 'apr_1', app: 'crm-bot', version: 2 },
  };

  it('retries 503s with backoff until the receiver accepts, with the same delivery id', async () => {
    script.set('/flaky', [503, 503]);
    const outcomes: DeliveryOutcome[] = [];
    const n = new WebhookNotifier(
      notifyConfigSchema.parse({ webhooks: [{ url: `${base}/flaky` }], retries: 4, backoffMs: 5, maxBackoffMs: 20 }),
      silentLogger,
      (o) => outcomes.push(o),
    );
    n.notify(event);
    await n.drain();
    const got = hits.filter((h) => h.path === '/flaky');
    assert.equal(got.length, 3);
    assert.equal(new Set(got.map((h) => h.headers['x-gatehouse-delivery'])).size, 1);
    assert.deepEqual(got[2].body, {
      id: got[2].headers['x-gatehouse-delivery'],
      event: 'approval.requested',
      time: '2026-01-01T00:00:00.000Z',
      text: event.text,
      data: event.data,
    });
    assert.deepEqual(
      outcomes.map((o) => [o.ok, o.attempts, o.status]),
      [[true, 3, 200]],
    );
  });

  it('gives up after the configured retries and reports the failure', async () => {
    script.set('/down', [500, 500, 500, 500, 500]);
    const outcomes: DeliveryOutcome[] = [];
    const n = new WebhookNotifier(
      notifyConfigSchema.parse({ webhooks: [{ url: `${base}/down` }], retries: 2, backoffMs: 5, maxBackoffMs: 10 }),
      silentLogger,
      (o) => outcomes.push(o),
    );
    n.notify(event);
    await n.drain();
    assert.equal(hits.filter((h) => h.path === '/down').length, 3);
    assert.equal(outcomes[0].ok, false);
    assert.equal(outcomes[0].status, 500);
  });

  it('does not retry a 400 (the payload is wrong, retrying cannot help)', async () => {
    script.set('/bad', [400, 400]);
    const outcomes: DeliveryOutcome[] = [];
    const n = new WebhookNotifier(
      notifyConfigSchema.parse({ webhooks: [{ url: `${base}/bad` }], retries: 3, backoffMs: 5 }),
      silentLogger,
      (o) => outcomes.push(o),
    );
    n.notify(event);
    await n.drain();
    assert.equal(hits.filter((h) => h.path === '/bad').length, 1);
    assert.equal(outcomes[0].ok, false);
  });

  it('sends a Slack-compatible payload and honours the event filter', async () => {
    const n = new WebhookNotifier(
      notifyConfigSchema.parse({
        webhooks: [
          { url: `${base}/slack`, format: 'slack', events: ['approval.requested'] },
          { url: `${base}/decided-only`, events: ['approval.decided'] },
        ],
      }),
      silentLogger,
    );
    n.notify(event);
    await n.drain();
    const slack = hits.filter((h) => h.path === '/slack');
    assert.equal(slack.length, 1);
    const body = slack[0].body as { text: string; blocks: Array<{ type: string }> };
    assert.equal(body.text, event.text);
    assert.equal(body.blocks[0].type, 'section');
    assert.equal(hits.filter((h) => h.path === '/decided-only').length, 0);
  });

  it('survives an unreachable receiver without throwing', async () => {
    const outcomes: DeliveryOutcome[] = [];
    const n = new WebhookNotifier(
      notifyConfigSchema.parse({ webhooks: [{ url: 'http://127.0.0.1:1/nothing' }], retries: 1, backoffMs: 5 }),
      silentLogger,
      (o) => outcomes.push(o),
    );
    n.notify(event);
    await n.drain();
    assert.equal(outcomes[0].ok, false);
    assert.equal(outcomes[0].attempts, 2);
  });
});
