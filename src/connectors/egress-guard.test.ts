// Egress guard against real HTTP servers on 127.0.0.1: the allowed path (a connector that allows private networks),
// pinning to the vetted address, redirect re-checks, response caps, DLP on URL/headers/body, and URL spelling tricks.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PolicyDeniedError } from '../core/errors.js';
import { guardedFetch, parseEgressUrl, type EgressOptions, type Resolver } from './egress-guard.js';
import type { OutboundScanner } from './outbound-scanner.js';

let server: Server;
let port = 0;
const seen: { url: string; host: string; body: string }[] = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', host: req.headers.host ?? '', body });
      if (req.url === '/to-metadata')
        return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      if (req.url === '/to-loopback-name')
        return void res.writeHead(302, { location: `http://localhost:${port}/ok` }).end();
      if (req.url === '/hop') return void res.writeHead(307, { location: '/ok' }).end();
      if (req.url === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
      if (req.url === '/big') return void res.end('x'.repeat(5000));
      res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': 'secret=1' }).end(`ok ${req.method} ${body}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => server.close());

const allowLocal: EgressOptions = { authorize: async () => ({ allowPrivateNetwork: true }), maxResponseBytes: 1000 };
const denyPrivate: EgressOptions = { authorize: async () => ({ allowPrivateNetwork: false }) };
const ssnScanner: OutboundScanner = {
  scan: (t) => (/\b\d{3}-\d{2}-\d{4}\b/.test(t) ? ['US_SSN'] : []),
  redact: (t) => t.replace(/\b\d{3}-\d{2}-\d{4}\b/g, '[US_SSN]'),
};
const refused = (re: RegExp) => (e: unknown) => e instanceof PolicyDeniedError && re.test(e.message);

describe('egress guard: allowed path', () => {
  it('fetches from a connector that allows the private network, without leaking response cookies', async () => {
    const r = await guardedFetch(`http://127.0.0.1:${port}/ok`, { method: 'POST', body: 'hello' }, allowLocal);
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok POST hello');
    assert.equal(r.headers['set-cookie'], undefined);
  });

  it('connects to the address it vetted, keeping the name in Host', async () => {
    const resolver: Resolver = async (h) => (h === 'svc.internal.test' ? [{ address: '127.0.0.1', family: 4 }] : []);
    const r = await guardedFetch(`http://svc.internal.test:${port}/ok`, {}, allowLocal, undefined, resolver);
    assert.equal(r.status, 200);
    assert.equal(seen.at(-1)?.host, `svc.internal.test:${port}`);
  });

  it('follows a relative redirect after re-authorizing it', async () => {
    const urls: string[] = [];
    const r = await guardedFetch(
      `http://127.0.0.1:${port}/hop`,
      {},
      { authorize: async (u) => (urls.push(u.pathname), { allowPrivateNetwork: true }) },
    );
    assert.equal(r.status, 200);
    assert.deepEqual(urls, ['/hop', '/ok']);
  });

  it('redacts an outbound body when the policy says redact', async () => {
    await guardedFetch(
      `http://127.0.0.1:${port}/ok`,
      { method: 'POST', body: 'ssn 123-45-6789' },
      { ...allowLocal, bodyDlp: 'redact' },
      ssnScanner,
    );
    assert.equal(seen.at(-1)?.body, 'ssn [US_SSN]');
  });
});

describe('egress guard: refusals', () => {
  it('refuses loopback without allowPrivateNetwork', async () => {
    await assert.rejects(guardedFetch(`http://127.0.0.1:${port}/ok`, {}, denyPrivate), refused(/loopback or private/));
  });
  it('refuses a redirect to the metadata address even when private networks are allowed', async () => {
    await assert.rejects(guardedFetch(`http://127.0.0.1:${port}/to-metadata`, {}, allowLocal), refused(/metadata/));
  });
  it('re-checks redirect targets against authorize()', async () => {
    const opts: EgressOptions = {
      authorize: async (u) => {
        if (u.hostname !== '127.0.0.1') throw new PolicyDeniedError(`host ${u.hostname} not declared`);
        return { allowPrivateNetwork: true };
      },
    };
    await assert.rejects(
      guardedFetch(`http://127.0.0.1:${port}/to-loopback-name`, {}, opts),
      refused(/localhost not declared/),
    );
  });
  it('stops redirect loops', async () => {
    await assert.rejects(guardedFetch(`http://127.0.0.1:${port}/loop`, {}, allowLocal), refused(/redirects/));
  });
  it('caps the response size', async () => {
    await assert.rejects(
      guardedFetch(`http://127.0.0.1:${port}/big`, {}, allowLocal),
      refused(/larger than 1000 bytes/),
    );
  });
  it('refuses names that resolve to any private address (DNS rebinding)', async () => {
    const resolver: Resolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    await assert.rejects(
      guardedFetch('http://rebind.test/', {}, denyPrivate, undefined, resolver),
      refused(/10\.0\.0\.5/),
    );
  });
  it('blocks sensitive data in the URL, headers and body', async () => {
    await assert.rejects(
      guardedFetch(`http://127.0.0.1:${port}/ok?q=123-45-6789`, {}, allowLocal, ssnScanner),
      refused(/US_SSN in the outbound URL/),
    );
    await assert.rejects(
      guardedFetch(`http://127.0.0.1:${port}/ok`, { headers: { 'x-data': '123-45-6789' } }, allowLocal, ssnScanner),
      refused(/headers/),
    );
    await assert.rejects(
      guardedFetch(`http://127.0.0.1:${port}/ok`, { method: 'POST', body: '123-45-6789' }, allowLocal, ssnScanner),
      refused(/body/),
    );
  });
  it('refuses hop-by-hop and Host headers', async () => {
    await assert.rejects(
      guardedFetch(`http://127.0.0.1:${port}/ok`, { headers: { Host: 'evil' } }, allowLocal),
      refused(/header 'Host'/),
    );
  });
  for (const [url, why] of [
    ['file:///etc/passwd', /scheme/],
    ['gopher://x/', /scheme/],
    ['https://approved.example@evil.example/', /user information/],
    ['http://2130706433/', /canonically/],
    ['http://0x7f.0.0.1/', /canonically/],
    ['http://017700000001/', /canonically/],
    ['http://127.1/', /canonically/],
    ['http://[::ffff:127.0.0.1]/', /canonically|mapped/],
    ['http://[::ffff:7f00:1]/', /mapped/],
    ['http://metadata.google.internal/', /metadata/],
  ] as const) {
    it(`refuses the URL ${url}`, () => {
      assert.throws(() => parseEgressUrl(url), refused(why));
    });
  }
});
