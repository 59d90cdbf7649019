// Issue 20 item 4: clients that hold connections without doing their part. A slow-loris client (headers one byte
// at a time) is dropped after server.headersTimeoutMs while others are served; clients that ask for a long stream
// and never read it cost the gateway a bounded amount of memory each (backpressure stops it pulling from the
// provider), are dropped after server.idleTimeoutMs, and their calls are settled and recorded as client_closed.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import { appVersion, modelDoc, startHarness, type Harness } from '../../src/gateway/testing/gateway-harness.js';
import { forkReady, sibling } from '../../src/testing/fork-ready.js';

const PROVIDER = 'sk-slow-clients-provider';
/** Far more than loopback socket buffers absorb (a few MB per connection), so the server's writes do stall. */
const REPLY_BYTES = 24 * 1024 * 1024;
const STALLED = 8;
const LORIS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function memory(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

async function startUpstream(): Promise<{ child: ChildProcess; url: string }> {
  const args = [PROVIDER, String(REPLY_BYTES), '4096'];
  const { child, ready } = await forkReady<{ url: string }>(sibling(import.meta.url, 'upstream-process'), args);
  return { child, url: ready.url };
}

/** Resolves when the server closes the socket; rejects after `ms` (a bound on the test, not a timing claim). */
const closedWithin = (s: Socket, ms: number) =>
  new Promise<void>((resolve, reject) => {
    if (s.destroyed) return resolve();
    const t = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
    s.once('close', () => (clearTimeout(t), resolve()));
  });

const open = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });

describe('fault: slow and stalled clients', () => {
  let h: Harness;
  let upstream: { child: ChildProcess; url: string };
  let key: string;
  let port: number;
  before(async () => {
    upstream = await startUpstream();
    h = await startHarness({
      env: { GATEHOUSE_MODEL_KEY_GPT_BIG: PROVIDER },
      limits: { headersTimeoutMs: 1000, requestTimeoutMs: 2000, idleTimeoutMs: 1500 },
    });
    h.catalog.put(modelDoc('gpt-big', 'openai', `${upstream.url}/v1`));
    h.apps.put(appVersion('big', { models: [{ id: 'gpt-big', maxOutputTokens: 10_000_000 }] }));
    key = await h.key('big');
    port = Number(new URL(h.url).port);
  });
  after(async () => {
    await h?.close();
    upstream?.child.disconnect();
  });

  it('drops slow-loris connections after the headers timeout and keeps serving others meanwhile', async () => {
    const loris = await Promise.all(Array.from({ length: LORIS }, () => open(port)));
    for (const s of loris) s.on('error', () => {});
    const head = 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: ';
    let sent = 0;
    const drip = setInterval(() => {
      for (const s of loris) if (!s.destroyed) s.write(sent < head.length ? head[sent] : 'a');
      sent++;
    }, 100);
    try {
      // A well-behaved client is answered while a hundred connections trickle their headers.
      const res = await fetch(`${h.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(res.status, 200);
      await Promise.all(loris.map((s) => closedWithin(s, 15_000)));
    } finally {
      clearInterval(drip);
      for (const s of loris) s.destroy();
    }
  });

  it('holds bounded memory for clients that never read a long stream, drops them, and settles their calls', async () => {
    const before = memory();
    const body = JSON.stringify({ model: 'gpt-big', stream: true, messages: [{ role: 'user', content: 'go on' }] });
    const request =
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const auditBefore = h.audit.length;
    const stalled = await Promise.all(
      Array.from({ length: STALLED }, async () => {
        const s = await open(port);
        s.on('error', () => {});
        s.write(request);
        s.pause(); // never read: the kernel buffers fill and the server's writes stall
        return s;
      }),
    );
    // The server drops each stalled connection after its idle timeout; the stream is cancelled and the call settled.
    // Memory is sampled all along, so the peak (every stream started and stalled) is what is checked.
    let peak = 0;
    for (let i = 0; i < 1200 && h.audit.length < auditBefore + STALLED; i++) {
      if (i % 5 === 0) peak = Math.max(peak, memory() - before); // a full GC each time: not on every turn
      await sleep(100);
    }
    for (const s of stalled) s.destroy();
    const unbounded = STALLED * REPLY_BYTES;
    assert.ok(
      peak < unbounded / 4,
      `peak memory held for ${STALLED} stalled streams: ${(peak / 1e6).toFixed(1)} MB (the answers total ${(unbounded / 1e6).toFixed(0)} MB)`,
    );
    const outcomes = h.audit.slice(auditBefore).map((e) => e.data.outcome);
    assert.equal(outcomes.length, STALLED, 'every stalled call was recorded');
    assert.ok(
      outcomes.every((o) => o === 'client_closed'),
      `outcomes: ${outcomes.join(',')}`,
    );
  });
});
