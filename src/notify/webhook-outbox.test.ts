// The webhook outbox on SQLite and PostgreSQL: a delivery that failed is sent again by the next process (signed
// with the current secret), exactly once when two replicas sweep together; hopeless and expired ones stop.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { testDatabases } from '../testing/databases.js';
import { notifyMigrations } from './notify-migrations.js';
import { WebhookOutbox } from './webhook-outbox.js';
import { signatureHeaders, type DeliveryPolicy } from './webhook-sender.js';

interface Received {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

for (const target of testDatabases) {
  describe(`webhook outbox on ${target.name}`, () => {
    let server: Server;
    let url = '';
    let answer = 503;
    const received: Received[] = [];
    before(async () => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({ body: Buffer.concat(chunks).toString(), headers: req.headers });
          res.writeHead(answer).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    const policy = (secret?: string): DeliveryPolicy => ({ retries: 0, timeoutMs: 2000, backoffMs: 1, secret });
    const outbox = (db: ConstructorParameters<typeof WebhookOutbox>[0]['db'], clock: ManualClock, kind = 'notify') =>
      new WebhookOutbox({ db, clock, logger: silentLogger, kind, policyFor: () => policy('s3cret'), sweepMs: 0 });

    it('keeps a failed delivery and a restarted process sends it, signed, once', async () => {
      const { db, cleanup } = await target.open(notifyMigrations);
      const clock = new ManualClock();
      received.length = 0;
      try {
        answer = 503;
        const first = outbox(db, clock);
        const out = await first.send({
          url,
          body: '{"event":"approval.requested"}',
          headers: { 'x-gatehouse-event': 'a' },
        });
        assert.equal(out.ok, false);
        assert.equal(await first.count('pending'), 1);
        answer = 204;
        const restarted = outbox(db, clock);
        assert.equal(await restarted.retryDue(), 0, 'not due before its backoff');
        clock.advance(61_000);
        const otherReplica = outbox(db, clock);
        const sent = await Promise.all([restarted.retryDue(), otherReplica.retryDue()]);
        assert.equal(sent[0] + sent[1], 1, 'two sweeping replicas deliver it once');
        assert.equal(received.length, 2);
        const last = received[1];
        assert.equal(last.body, '{"event":"approval.requested"}');
        assert.equal(last.headers['x-gatehouse-event'], 'a');
        const ts = String(last.headers['x-gatehouse-timestamp']);
        assert.equal(
          last.headers['x-gatehouse-signature'],
          signatureHeaders('s3cret', last.body, Number(ts) * 1000)['x-gatehouse-signature'],
        );
        assert.equal(await restarted.count('delivered'), 1);
        clock.advance(3_600_000);
        assert.equal(await restarted.retryDue(), 0, 'a delivered row is not sent again');
      } finally {
        await cleanup();
      }
    });

    it('stops at a 4xx that retrying cannot fix, and gives up after its time', async () => {
      const { db, cleanup } = await target.open(notifyMigrations);
      const clock = new ManualClock();
      try {
        const box = new WebhookOutbox({
          db,
          clock,
          logger: silentLogger,
          kind: 'alert',
          policyFor: () => policy(),
          sweepMs: 0,
          giveUpAfterMs: 120_000,
        });
        answer = 400;
        assert.equal((await box.send({ url, body: '{}' })).status, 400);
        assert.equal(await box.count('failed'), 1);
        answer = 500;
        await box.send({ url, body: '{}' });
        clock.advance(61_000);
        await box.retryDue();
        assert.equal(await box.count('pending'), 1, 'still inside its time');
        clock.advance(3_600_000);
        await box.retryDue();
        assert.equal(await box.count('failed'), 2);
        assert.equal(await box.count('pending'), 0);
        assert.equal(await outbox(db, clock, 'notify').count('failed'), 0, 'kinds are kept apart');
      } finally {
        await cleanup();
      }
    });
  });
}
