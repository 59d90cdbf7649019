// Stage 0 on a DataSource-backed dataset read with ctx.data.sql (whole platform, wasm tier, sqlite DataSource): the
// replay's obfuscated copy is served as a temporary SQLite source, so ctx.data.sql (and ctx.data.query) on the copy go
// through the same SQL guard as on the original. A candidate leaking SSNs through ctx.data.sql fails on fakes only;
// a candidate whose SQL reads a column the manifest does not declare is refused by the guard on the copy too.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream } from '../demo/fake-upstream.js';
import type { RunOutcome, RunRequest } from '../sandbox/app-runner.js';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import { REAL_SSNS, REPLAY, appCode, canaryHarness, dataset, seedCustomers } from './testing/canary-fixture.js';

const CODE = appCode('sql');
const SNOOP = CODE.baseline.replace('SELECT id, full_name, ssn FROM', 'SELECT id, full_name, ssn, plan FROM');

describe('canary replay of ctx.data.sql on a DataSource-backed dataset', () => {
  let t: TestGatehouse;
  let up: FakeUpstream;
  let alice = '';
  const replays: { version: number; output?: unknown; error?: string }[] = [];
  const { stateOf, appWith, start } = canaryHarness(
    () => t,
    () => alice,
  );

  before(async () => {
    up = await new FakeUpstream({ apiKey: 'sk-canary-sql' }).start();
    // rowDlp off: this deployment lets apps see raw rows, so only the canary's obfuscated copy keeps real SSNs out.
    t = await startTestGatehouse({ store: 'sqlite', config: { sandbox: { rowDlp: 'off' } } });
    await t.useProvider('gpt-4o-mini', up.baseUrl, 'sk-canary-sql');
    seedCustomers(t.home);
    const source = {
      apiVersion: 'gatehouse/v1',
      kind: 'DataSource',
      metadata: { name: 'crm', owner: 'dana' },
      spec: { engine: 'sqlite', database: 'crm.db', region: 'us-east-1' },
    };
    const r = await t.api('POST', '/api/v1/catalog/apply', { documents: [source, dataset({ dataSource: 'crm' })] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    alice = await t.tokenFor('alice');
    // Record what each replay run (a run with dataset overlays) returns or throws.
    const runner = t.gh.sandbox.runner;
    const run = runner.run.bind(runner);
    runner.run = async (req: RunRequest): Promise<RunOutcome> => {
      try {
        const o = await run(req);
        if (req.datasets) replays.push({ version: req.version ?? 0, output: o.output });
        return o;
      } catch (err) {
        if (req.datasets) replays.push({ version: req.version ?? 0, error: (err as Error).message });
        throw err;
      }
    };
  });
  after(async () => {
    await t?.close();
    await up?.close();
  });

  it('reads the obfuscated copy through ctx.data.sql and query: a leaking candidate fails on fakes, never real SSNs', async () => {
    // The baseline reads with ctx.data.query, the candidate with ctx.data.sql: both reach the copy through the SQL layer.
    await appWith('sql-leaky', CODE.leaky, appCode('query').baseline);
    replays.length = 0;
    const { status, out } = await start('sql-leaky');
    assert.deepEqual(
      replays.filter((r) => r.error),
      [],
      'every replay run read the copy (ctx.data.query and ctx.data.sql)',
    );
    assert.equal(replays.length, 2 * REPLAY);
    assert.equal(status.canary.state, 'aborted', out);
    const ssn = status.verdicts[0].analysis.metrics.find((m) => m.metric === 'dlp_per_call:US_SSN');
    assert.equal(ssn?.verdict, 'fail', JSON.stringify(status.verdicts[0].analysis.metrics));
    const leaked = replays.flatMap((r) =>
      ((r.output as { customers?: string[] }).customers ?? []).map((c) => c.split(' ').at(-1)!),
    );
    assert.equal(leaked.length, REPLAY * REAL_SSNS.length);
    for (const s of leaked) assert.match(s, /^\d{3}-\d{2}-\d{4}$/);
    for (const s of REAL_SSNS) assert.ok(!leaked.includes(s), `real SSN ${s} in a canary output`);
    assert.equal(await stateOf('sql-leaky', 2), 'rolled_back');
    assert.deepEqual(readdirSync(join(t.home, 'canary-data')), [], 'copies are deleted after the replay');
  });

  it('guards SQL on the copy as on the original: an undeclared column is refused, the stage fails', async () => {
    await appWith('sql-snoop', SNOOP, CODE.baseline);
    replays.length = 0;
    const { status, out } = await start('sql-snoop');
    const refused = replays.filter((r) => r.version === 2).map((r) => r.error ?? 'no error');
    assert.equal(refused.length, REPLAY);
    for (const e of refused) assert.match(e, /plan/, 'the guard names the undeclared column');
    assert.ok(
      replays.filter((r) => r.version === 1).every((r) => r.output !== undefined),
      'the baseline reads the copy',
    );
    assert.equal(status.canary.state, 'aborted', out);
    const failed = status.verdicts[0].analysis.metrics.filter((m) => m.verdict === 'fail').map((m) => m.metric);
    assert.ok(failed.includes('error_rate') || failed.includes('refusal_rate'), failed.join(', '));
  });

  it('keeps temporary copy sources out of the catalog: a Dataset naming one is refused', async () => {
    const doc = dataset({ dataSource: 'crm' });
    doc.spec.source = { dataSource: 'temporary:cpy_1', table: 'customers' };
    const r = await t.api('POST', '/api/v1/catalog/apply', { documents: [doc] });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(JSON.stringify(r.body), /spec\.source/);
  });
});
