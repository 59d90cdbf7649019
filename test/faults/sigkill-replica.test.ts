// Issue 20 item 4: a replica is SIGKILLed under steady gateway traffic (auditDurability: sync). After a restart on
// the same GATEHOUSE_HOME every call that got a 200 has its audit entry, `gatehouse audit verify` passes, and the
// app's daily budget is not overspent: the spend made before the crash is still counted when traffic resumes.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/program.js';
import { FakeUpstream } from '../../src/demo/fake-upstream.js';
import { tempDir } from '../../src/testing/databases.js';
import { forkReady, sibling } from '../../src/testing/fork-ready.js';

const CRASH_ADMIN = 'crash-admin-token-0123456789';
const CRASH_APP = 'crash-bot';
/** The app's daily budget: a few hundred calls of the fake upstream's short answers. */
const CRASH_BUDGET_USD = 0.003;

interface Replica {
  child: ChildProcess;
  url: string;
  key: string;
}

async function startReplica(home: string, upstream: string): Promise<Replica> {
  const args = [home, upstream, 'sync', CRASH_ADMIN, CRASH_APP, String(CRASH_BUDGET_USD)];
  const { child, ready } = await forkReady<{ url: string; key: string }>(
    sibling(import.meta.url, 'replica-process'),
    args,
  );
  return { child, ...ready };
}

interface Outcome {
  status: number;
  decisionId?: string;
  costUsd?: number;
}

async function call(r: Replica, i: number): Promise<Outcome> {
  try {
    const res = await fetch(`${r.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${r.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `call number ${i}` }] }),
      signal: AbortSignal.timeout(20_000),
    });
    await res.text(); // a 200 counts only once its body has fully arrived
    return {
      status: res.status,
      decisionId: res.headers.get('x-gatehouse-decision-id') ?? undefined,
      costUsd: Number(res.headers.get('x-gatehouse-cost-usd') ?? 0),
    };
  } catch {
    return { status: 0 }; // connection reset by the kill: not acknowledged
  }
}

/** `workers` loops calling until `stop()` says so or `max` calls were made (a bound on count, not time). */
async function traffic(
  r: Replica,
  workers: number,
  max: number,
  stop: (all: Outcome[]) => boolean,
): Promise<Outcome[]> {
  const all: Outcome[] = [];
  let n = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (n < max && !stop(all)) all.push(await call(r, n++));
    }),
  );
  return all;
}

describe('fault: SIGKILL a replica under gateway traffic', () => {
  const home = tempDir('gh-sigkill-');
  let upstream: FakeUpstream;
  let replica: Replica | undefined;
  before(async () => {
    upstream = await new FakeUpstream({ apiKey: 'sk-fake-provider', record: false }).start();
  });
  after(async () => {
    replica?.child.kill('SIGKILL');
    await upstream?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('keeps every acknowledged call audited and the budget held across the crash', async () => {
    replica = await startReplica(home, upstream.baseUrl);
    const killed = replica;
    // Steady traffic from 6 clients; the kill lands while calls are in flight (after 60 answered).
    let fired = false;
    const before = traffic(killed, 6, 5000, (all) => {
      if (!fired && all.filter((o) => o.status === 200).length >= 60) {
        fired = true;
        killed.child.kill('SIGKILL');
      }
      return all.some((o) => o.status === 0);
    });
    const phase1 = await before;
    await new Promise((r) =>
      killed.child.exitCode !== null || killed.child.signalCode ? r(undefined) : killed.child.once('exit', r),
    );
    const ok1 = phase1.filter((o) => o.status === 200);
    assert.ok(ok1.length >= 60, `answered before the kill: ${ok1.length}`);
    assert.ok(
      phase1.some((o) => o.status === 0),
      'some calls were cut by the kill',
    );

    replica = await startReplica(home, upstream.baseUrl);
    // Resume until the budget refuses (429), at most 3000 calls.
    const phase2 = await traffic(replica, 4, 3000, (all) => all.some((o) => o.status === 429));
    const ok2 = phase2.filter((o) => o.status === 200);
    assert.ok(
      phase2.some((o) => o.status === 429),
      'the budget was reached after the restart',
    );

    // Every acknowledged call has its model.invocation entry.
    const audited = new Set<string>();
    for (let start = 0; ;) {
      const res = await fetch(`${replica.url}/api/v1/audit/entries?type=model.invocation&start=${start}&limit=10000`, {
        headers: { authorization: `Bearer ${CRASH_ADMIN}` },
      });
      const page = (await res.json()) as {
        entries: { event: { ids?: { decisionId?: string } } }[];
        next: number | null;
      };
      for (const e of page.entries) if (e.event.ids?.decisionId) audited.add(e.event.ids.decisionId);
      if (page.next === null || page.next === undefined || page.entries.length === 0) break;
      start = page.next;
    }
    const missing = [...ok1, ...ok2].filter((o) => !audited.has(o.decisionId!));
    assert.deepEqual(missing, [], 'answered calls without an audit entry');

    let out = '';
    let err = '';
    const code = await runCli(
      ['audit', 'verify', '--no-pin'],
      { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') },
      { GATEHOUSE_URL: replica.url, GATEHOUSE_TOKEN: CRASH_ADMIN, GATEHOUSE_HOME: home },
    );
    assert.equal(code, 0, `audit verify: ${out}${err}`);

    // No overspend: what the callers were charged, before and after the crash, stays within the day's budget.
    const charged = [...ok1, ...ok2].reduce((s, o) => s + (o.costUsd ?? 0), 0);
    assert.ok(charged <= CRASH_BUDGET_USD + 1e-12, `charged $${charged} against a $${CRASH_BUDGET_USD} budget`);
    const costs = await fetch(`${replica.url}/api/v1/costs?app=${CRASH_APP}&by=app`, {
      headers: { authorization: `Bearer ${CRASH_ADMIN}` },
    });
    const ledger = (await costs.json()) as { total: { costUsd: number; requests: number } };
    assert.ok(ledger.total.costUsd <= CRASH_BUDGET_USD + 1e-12, `ledger says $${ledger.total.costUsd}`);
    assert.ok(ledger.total.requests >= ok1.length + ok2.length, 'every answered call has its cost row');
  });
});
