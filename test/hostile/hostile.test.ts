// The hostile corpus (test/hostile/cases/*.js) run in every tier it names: each attempt must be contained, the host
// must stay alive and unpolluted, no canary may leak, and the run must be audited under its run id.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { AppRunError } from '../../src/sandbox/tier.js';
import { loadCorpus, startHarness } from './hostile-harness.js';
import { CONTAINER_TIER, suiteNeeds } from '../../src/testing/requires.js';

type Out = Record<string, unknown> & unknown[];
let h: Awaited<ReturnType<typeof startHarness>>;
before(async () => {
  h = await startHarness();
});
after(() => h.server.close());

const values = (o: unknown): string[] => Object.values(o as Record<string, unknown>).map(String);
const checks: Record<string, (out: Out) => void> = {
  'constructor-chain': (o) =>
    assert.ok(
      values(o).every((v) => v === 'undefined' || v.startsWith('threw')),
      JSON.stringify(o),
    ),
  'prepare-stack-trace': (o) => {
    assert.equal(o.hostProcessSeen, false);
    assert.equal(o.stackMentionsHost, false);
  },
  'thenable-species': () => assert.ok(h.llm.requests.every((r) => r.model === 'gpt-4o-mini')),
  'getter-proxy-args': (o) => {
    assert.ok(h.llm.requests.every((r) => r.model === 'gpt-4o-mini'));
    assert.ok(
      h.governor.inputs.filter((i) => i.action === 'model.invoke').every((i) => i.resource.id === 'gpt-4o-mini'),
    );
    assert.doesNotMatch(JSON.stringify(o[2]), /"email"/, 'a proxy smuggled an undeclared column');
  },
  'proto-pollution': (o) => assert.equal(Object.getPrototypeOf(o), Object.prototype),
  'shared-memory-timers': (o) =>
    assert.deepEqual(o, ['undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'undefined']),
  'ssrf-redirects': (o) =>
    assert.ok(
      values(o).every((v) => /refused|not in the app manifest/.test(v)),
      JSON.stringify(o),
    ),
  'ssrf-addresses': (o) =>
    assert.ok(
      values(o).every(
        (v) => !v.startsWith('REACHED') && /refused|not in the app manifest|not allowed|canonical/.test(v),
      ),
      JSON.stringify(o, null, 1),
    ),
  exfiltration: (o) => {
    assert.ok(
      values(o).every((v) => /DLP found/.test(v)),
      JSON.stringify(o),
    );
    assert.ok(!h.received.some((r) => /4111|536-22|victim/.test(r)));
  },
  'escaped-host-files-env': (o) => {
    assert.equal(o.uid, 65534);
    assert.match(String(o.canaryFile), /^ERR /);
    assert.match(String(o.passwd), /^ERR ENOENT/);
    assert.match(String(o.work), /^ERR ENOENT/);
    assert.equal(o.writeUsr, 'ERR EROFS');
    assert.equal(o.fillTmp, 'ERR ENOSPC');
    assert.ok(Number(o.procs) <= 3, `sees ${o.procs} processes`);
  },
  'escaped-ptrace': (o) => {
    assert.ok(values(o).every((v) => !v.includes('ATTACHED')));
    assert.match(String(o.raw), /errno=1\b/);
    assert.match(String(o.strace), /Operation not permitted|EPERM/);
  },
  'escaped-mount-userns': (o) => {
    for (const k of ['mount', 'keyctl', 'bpf', 'ioUring', 'setns'])
      assert.match(String(o[k]), /errno=1\b/, `${k}: ${o[k]}`);
    for (const k of ['unshareUser', 'unshareMount', 'unshareNet'])
      assert.doesNotMatch(String(o[k]), /^0 /, `${k}: ${o[k]}`);
  },
  'escaped-signals': (o) =>
    assert.ok(
      values(o).every((v) => /^(1|-1):/.test(v)),
      `signals only reach the sandbox's own pid namespace: ${JSON.stringify(o)}`,
    ),
  'escaped-network': (o) => {
    assert.notEqual(o.hostServer, 'CONNECTED');
    assert.notEqual(o.internet, 'CONNECTED');
    assert.equal(o.raw, '97');
  },
};

/** Live (non-zombie) processes of the sandbox uid; zombies wait for init to reap them and hold nothing. */
async function sandboxProcesses(): Promise<number> {
  let live = 0;
  for (let i = 0; i < 20; i++) {
    try {
      live = execFileSync('ps', ['-u', '65534', '-o', 'stat='], { encoding: 'utf8' })
        .split('\n')
        .filter((s) => s && !s.startsWith('Z')).length;
    } catch {
      live = 0; // ps exits 1 when nothing matches
    }
    if (live === 0) return 0;
    await new Promise((r) => setTimeout(r, 100));
  }
  return live;
}

const containerNeeds = await suiteNeeds(CONTAINER_TIER);

for (const c of loadCorpus()) {
  describe(`hostile: ${c.name} (${c.description})`, () => {
    for (const tier of c.tiers) {
      it(`is contained in the ${tier} tier`, tier === 'wasm' ? {} : containerNeeds, async () => {
        const app = h.addApp(c, tier === 'wasm' ? 'wasm' : 'container');
        const runner = tier === 'container-escaped' ? h.escapedRunner : h.runner;
        const res = await runner.run({ app, input: { secretPath: h.secretPath, port: h.port }, user: 'mallory' }).then(
          (r) => ({ ok: true as const, r }),
          (e: unknown) => ({ ok: false as const, e }),
        );
        let runId: string;
        let text: string;
        if (res.ok) {
          assert.equal(
            c.expect,
            'ok',
            `expected ${c.expect}, but the run succeeded with ${JSON.stringify(res.r.output).slice(0, 300)}`,
          );
          runId = res.r.runId;
          text = JSON.stringify(res.r.output);
          checks[c.name]?.(res.r.output as Out);
        } else {
          assert.ok(res.e instanceof AppRunError, `expected a contained app failure, got ${String(res.e)}`);
          if (c.expect !== 'failure') assert.equal(res.e.failure, c.expect, res.e.message);
          runId = String(res.e.extra.runId);
          text = res.e.message;
        }
        assert.ok(!text.includes(h.envCanary) && !text.includes(h.fileCanary), 'a canary leaked');
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
        assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
        const finished = h.audit.entries.find((e) => e.type === 'app.run.finished' && e.ids?.runId === runId);
        assert.ok(finished, 'the run is audited');
        if (tier !== 'wasm') assert.equal(await sandboxProcesses(), 0, 'sandbox processes left behind');
      });
    }
  });
}

describe('hostile: calls after dispose are refused and audited', () => {
  it('stops capability traffic once the run is over', async () => {
    const before = h.llm.requests.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(h.llm.requests.length, before);
  });
});
