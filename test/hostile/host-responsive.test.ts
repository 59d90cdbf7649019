// Hostile: a CPU-bound guest in the wasm tier must not freeze the host. While `while(true){}` (and a catastrophic
// regex) spins until its time limit, the host's own timers and HTTP server keep answering.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { bundleApp } from '../../src/sandbox/app-bundle.js';
import { AppRunError, type Bridge } from '../../src/sandbox/tier.js';
import { WasmTier } from '../../src/sandbox/wasm-tier.js';

const bridge: Bridge = { call: async () => null };
const limits = { timeoutMs: 2000, memoryMb: 64, maxOutputBytes: 100_000 };
const tier = new WasmTier({ minWorkers: 1 });
const server = createServer((_req, res) => res.end('pong'));
let url = '';

before(async () => {
  await tier.warm();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(async () => {
  server.close();
  await tier.close();
});

const spinners: Record<string, string> = {
  'an infinite loop': 'export default async function main() { while (true) {} }',
  'a catastrophic regex': "export default async function main() { return /^(a+)+$/.test('a'.repeat(40) + 'b') }",
};

describe('hostile: the host stays responsive while a wasm guest spins', () => {
  for (const [name, src] of Object.entries(spinners)) {
    it(`answers timers and HTTP during ${name}`, async () => {
      const code = await bundleApp({ 'main.js': src }, 'main.js');
      let settled = false;
      const started = Date.now();
      const run = tier.run(code, null, bridge, limits).finally(() => {
        settled = true;
      });
      run.catch(() => undefined);
      // Give the guest time to be spinning inside the interpreter before probing the host.
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(settled, false, 'the guest should still be spinning');
      const t0 = Date.now();
      await new Promise((r) => setTimeout(r, 10));
      const body = await (await fetch(url)).text();
      const probeMs = Date.now() - t0;
      assert.equal(body, 'pong');
      // The probes completed while the guest was still running: the host's event loop was never blocked by it.
      assert.equal(settled, false, `the host only answered after the guest stopped (probe took ${probeMs} ms)`);
      assert.ok(probeMs < 1000, `a host timer + HTTP request took ${probeMs} ms while the guest spun`);
      const err = await run.then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof AppRunError && err.failure === 'timeout', String(err));
      assert.ok(Date.now() - started >= limits.timeoutMs - 50, 'the guest was stopped by its deadline, not earlier');
    });
  }

  it('lets a kill switch stop a spinning guest at once, with the kill reason, not at its time limit', async () => {
    const code = await bundleApp({ 'main.js': spinners['an infinite loop'] }, 'main.js');
    const kill = new AbortController();
    const run = tier.run(code, null, bridge, { ...limits, timeoutMs: 20_000 }, kill.signal);
    setTimeout(() => kill.abort(new Error('runaway guest')), 150);
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof AppRunError, String(err));
    assert.equal(err.failure, 'killed', err.message);
    assert.match(err.message, /runaway guest/);
  });

  it('keeps running later guests after a spinning worker was terminated', async () => {
    const code = await bundleApp({ 'main.js': 'export default async function main(i) { return i.n + 1 }' }, 'main.js');
    assert.equal((await tier.run(code, { n: 41 }, bridge, limits)).output, 42);
  });
});
