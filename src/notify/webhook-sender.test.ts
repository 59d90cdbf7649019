// The one webhook sender against a real receiver on 127.0.0.1: retries, no retry on 4xx, timeouts, signatures.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sendWebhook } from './webhook-sender.js';

type Seen = { path: string; headers: IncomingMessage['headers']; body: string };

describe('webhook sender', () => {
  const seen: Seen[] = [];
  let answer: (n: number, res: ServerResponse) => void = (_n, res) => res.end();
  let base = '';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      answer(seen.filter((s) => s.path === req.url).length, res);
    });
  });
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  const policy = { retries: 3, timeoutMs: 500, backoffMs: 10 };

  it('retries 5xx and 429 until the receiver takes it', async () => {
    answer = (n, res) => {
      res.statusCode = n === 1 ? 503 : n === 2 ? 429 : 204;
      res.end();
    };
    const out = await sendWebhook({ url: `${base}/retry`, body: '{"a":1}' }, policy);
    assert.deepEqual(out, { ok: true, attempts: 3, status: 204 });
  });

  it('does not retry a 4xx other than 408 and 429', async () => {
    answer = (_n, res) => {
      res.statusCode = 400;
      res.end();
    };
    const out = await sendWebhook({ url: `${base}/bad`, body: '{}' }, policy);
    assert.equal(out.ok, false);
    assert.equal(out.attempts, 1);
    assert.match(out.error ?? '', /answered 400/);
  });

  it('gives up on a receiver that hangs, after the retries, each bounded by the timeout', async () => {
    answer = () => undefined; // never answers
    const t0 = Date.now();
    const out = await sendWebhook({ url: `${base}/hang`, body: '{}' }, { ...policy, retries: 1, timeoutMs: 100 });
    assert.equal(out.ok, false);
    assert.equal(out.attempts, 2);
    assert.ok(Date.now() - t0 < 2000, 'bounded by the per-attempt timeout');
  });

  it('signs the timestamp and body with the secret when one is set', async () => {
    answer = (_n, res) => res.end();
    const secret = 'a-shared-secret-of-16+';
    await sendWebhook(
      { url: `${base}/signed`, body: '{"event":"x"}', headers: { 'x-extra': '1' } },
      {
        ...policy,
        secret,
      },
    );
    const got = seen.find((s) => s.path === '/signed')!;
    const ts = String(got.headers['x-gatehouse-timestamp']);
    const want = createHmac('sha256', secret).update(`${ts}.${got.body}`).digest('hex');
    assert.equal(got.headers['x-gatehouse-signature'], `sha256=${want}`);
    assert.equal(got.headers['x-extra'], '1');
    await sendWebhook({ url: `${base}/unsigned`, body: '{}' }, policy);
    assert.equal(seen.find((s) => s.path === '/unsigned')!.headers['x-gatehouse-signature'], undefined);
  });
});
