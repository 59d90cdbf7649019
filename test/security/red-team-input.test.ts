// Issue 22 items 3 and 6: ill-formed Unicode never reaches stored state or canonical JSON (400 naming the field,
// nothing half-written), and /v1 neither buffers bodies for anonymous clients nor past the size limit.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestGatehouse, type TestGatehouse } from '../../src/testing/test-gatehouse.js';

/** Streams `chunks` × 1 MiB with chunked encoding; resolves with the status (or the socket error if cut first). */
function chunkedUpload(url: string, chunks: number, token?: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? 'error'));
    const mib = Buffer.alloc(1 << 20, 0x61);
    let sent = 0;
    const pump = (): void => {
      while (sent < chunks) {
        sent++;
        if (!req.write(mib)) return void req.once('drain', pump);
      }
      req.end();
    };
    req.write('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"');
    pump();
  });
}

describe('red team: input at the edge (issue 22 items 3 and 6)', () => {
  let t: TestGatehouse;
  let key: string;
  before(async () => {
    t = await startTestGatehouse();
    const made = await t.api('POST', '/api/v1/apps/faq-bot/keys', {});
    key = String(made.body.key);
  });
  after(async () => t.close());

  it('item 3: a kill whose reason holds a lone surrogate is refused whole: 400 naming the field, nothing in force', async () => {
    const auditBefore = (await t.api('GET', '/api/v1/audit/entries')).body.entries as unknown[];
    const raw = '{"scope":"app","id":"faq-bot","reason":"bad \\ud800 input"}';
    const r = await t.api('POST', '/api/v1/kills', raw);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error!.details[0].path, 'reason');
    assert.deepEqual((await t.api('GET', '/api/v1/kills')).body.kills, []);
    const auditAfter = (await t.api('GET', '/api/v1/audit/entries')).body.entries as unknown[];
    assert.equal(auditAfter.length, auditBefore.length, 'no audit entry either');
    for (const [method, path, body] of [
      ['PUT', '/api/v1/flags/faq-bot/dev', '{"groups":["\\udfff"]}'],
      ['POST', '/api/v1/caps', '{"scope":"app","id":"faq-bot","reason":"x\\ud834y","limits":{"maxOutputTokens":5}}'],
      ['POST', '/api/v1/tokens', '{"user":"alice","\\ud800":1}'],
    ] as const) {
      const res = await t.api(method, path, body);
      assert.equal(res.status, 400, `${method} ${path}: ${JSON.stringify(res.body)}`);
    }
    assert.deepEqual((await t.api('GET', '/api/v1/caps')).body.caps, []);
  });

  it('item 3: the gateway answers a lone surrogate in a message with 400, never 500', async () => {
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi \\ud800"}]}',
    });
    assert.equal(res.status, 400, await res.text());
  });

  it('item 6: an anonymous chunked upload is refused before its body is read', async () => {
    const rss0 = process.memoryUsage().rss;
    const results = await Promise.all([1, 2, 3, 4].map(() => chunkedUpload(`${t.url}/v1/chat/completions`, 64)));
    for (const r of results) assert.ok(r === 401 || r === 'EPIPE' || r === 'ECONNRESET', String(r));
    assert.ok(results.includes(401), `at least one client saw the 401: ${results.join(', ')}`);
    const grownMb = (process.memoryUsage().rss - rss0) / 2 ** 20;
    assert.ok(grownMb < 128, `server grew ${grownMb.toFixed(0)} MiB on 256 MiB of anonymous uploads`);
  });

  it('item 6: an authenticated chunked body past the limit is cut at the limit with 413', async () => {
    const r = await chunkedUpload(`${t.url}/v1/chat/completions`, 16, key);
    assert.ok(r === 413 || r === 'EPIPE' || r === 'ECONNRESET', String(r));
    const r2 = await chunkedUpload(`${t.url}/api/v1/apps`, 16, t.adminToken);
    assert.ok(r2 === 413 || r2 === 'EPIPE' || r2 === 'ECONNRESET', String(r2));
  });
});
