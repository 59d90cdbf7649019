// Test kit for the canary end-to-end suites: the apps (a baseline and candidates that leak, reword or double tokens),
// the seeded customers dataset, a replay-only policy, and helpers that submit, approve, release, use and canary an app
// through the real API and CLI of a test Gatehouse.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { TestGatehouse } from '../../testing/test-gatehouse.js';
import type { CanaryStatus } from '../canary-service.js';

// Real-looking seeded values: valid per SSA rules, so a leak of them would be caught by the same DLP that sees fakes.
export const REAL_SSNS = ['536-22-8147', '219-45-3306', '401-78-5521', '612-09-4410', '118-63-2975'];
export const REPLAY = 12;

const READ_QUERY = "ctx.data.query('customers', { columns: ['id', 'full_name', 'ssn'], limit: 10 })";
const READ_SQL = "ctx.data.sql('customers', 'SELECT id, full_name, ssn FROM customers LIMIT 10')";

const BASE = `export default async function main(input, ctx) {
  const r = await __READ__;
  const rows = Array.isArray(r) ? r : r.rows;
  const reply = await ctx.llm.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Summarize ' + String(input.account) + ' over ' + rows.length + ' customers' }], max_tokens: 40 });
  return { answer: __ANSWER__ };
}`;

/** The app sources; `read` picks ctx.data.query (a file or DataSource dataset) or ctx.data.sql (a DataSource one). */
export function appCode(read: 'query' | 'sql' = 'query') {
  const base = BASE.replace('__READ__', read === 'sql' ? READ_SQL : READ_QUERY);
  return {
    baseline: base.replace('__ANSWER__', "'Summary: ' + reply.content"),
    wording: base.replace('__ANSWER__', "'Here is what we found: ' + reply.content"),
    leaky: base.replace(
      '__ANSWER__',
      "'Summary: ' + reply.content, customers: rows.map((x) => x.full_name + ' ' + x.ssn)",
    ),
    tokens: base.replace(
      '  return { answer: __ANSWER__ };',
      "  const more = await ctx.llm.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Summarize ' + String(input.account) + ' over ' + rows.length + ' customers' }], max_tokens: 40 });\n  return { answer: 'Summary: ' + reply.content + ' ' + more.content };",
    ),
  };
}
export const CODE = appCode('query');

export const manifest = (name: string) => ({
  apiVersion: 'gatehouse/v1',
  kind: 'App',
  metadata: { name, owner: 'alice', description: 'Summarizes customer accounts' },
  spec: {
    purpose: 'Summarize customer accounts for support staff',
    environment: 'dev',
    region: 'us-east-1',
    runtime: { tier: 'wasm', entrypoint: 'main.js' },
    models: [{ id: 'gpt-4o-mini', maxInputTokens: 1024, maxOutputTokens: 256, temperature: 0.2 }],
    data: [
      { dataset: 'customers', access: 'read', purpose: 'summarize accounts', columns: ['id', 'full_name', 'ssn'] },
    ],
    users: { groups: ['support'] },
  },
});

/** The customers dataset over a SQLite file (a path) or a table of a catalog DataSource ({ dataSource }). */
export const dataset = (from: string | { dataSource: string }) => ({
  apiVersion: 'gatehouse/v1',
  kind: 'Dataset',
  metadata: { name: 'customers', owner: 'dana' },
  spec: {
    classification: 'confidential',
    region: 'us-east-1',
    source:
      typeof from === 'string'
        ? { kind: 'sqlite', path: from, table: 'customers' }
        : { dataSource: from.dataSource, table: 'customers' },
    columns: [
      { name: 'id', tags: [] },
      { name: 'full_name', tags: ['pii', 'person'] },
      { name: 'ssn', tags: ['pii', 'us_ssn'] },
      { name: 'plan', tags: [] },
    ],
  },
});

export const policyYaml = `apiVersion: gatehouse/v1
kind: CanaryPolicy
metadata: { name: replay-only }
spec:
  stages:
    - { traffic: 0, replay: ${REPLAY}, minSamples: 10 }
  # Latency is loose here: the shared test machine is noisy and latency is not what these candidates change.
  thresholds: { maxLatencyRatio: 4 }
`;

/** Writes the seeded customers table (real-looking SSNs) to a SQLite file under the test home. */
export function seedCustomers(home: string, file = 'crm.db'): void {
  const db = new Database(join(home, file));
  db.exec('CREATE TABLE customers (id INTEGER, full_name TEXT, ssn TEXT, plan TEXT)');
  const names = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov'];
  REAL_SSNS.forEach((s, i) => db.prepare('INSERT INTO customers VALUES (?, ?, ?, ?)').run(i + 1, names[i], s, 'pro'));
  db.close();
}

/** Helpers bound to one test Gatehouse (a getter: suites start it in before()) and the owner's token. */
export function canaryHarness(gh: () => TestGatehouse, ownerToken: () => string) {
  const stateOf = async (app: string, v: number) =>
    (
      (await gh().api('GET', `/api/v1/apps/${app}`, undefined, ownerToken())).body.versions as {
        version: number;
        state: string;
      }[]
    ).find((x) => x.version === v)?.state;

  async function submit(app: string, code: string): Promise<number> {
    const r = await gh().api(
      'POST',
      '/api/v1/apps',
      { manifest: manifest(app), code: { 'main.js': code } },
      ownerToken(),
    );
    assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body).slice(0, 800));
    // Reading a confidential dataset makes it a medium-risk app: the catalog's approvers sign it off.
    const version = Number(r.body.version);
    for (const who of ['dana', 'sam', 'bob']) {
      if ((await stateOf(app, version)) === 'approved') break;
      const list = await gh().api('GET', `/api/v1/approvals?app=${app}&state=pending`);
      const pending = (list.body.items as { id: string; version: number }[]).find((a) => a.version === version);
      if (!pending) break;
      await gh().api('POST', `/api/v1/approvals/${pending.id}/approve`, { comment: 'test' }, await gh().tokenFor(who));
    }
    assert.equal(await stateOf(app, version), 'approved');
    return Number(r.body.version);
  }

  /** v1 released and used `runs` times (its inputs recorded for replay), v2 = the candidate. */
  async function appWith(app: string, candidate: string, baseline = CODE.baseline, runs = REPLAY): Promise<void> {
    await submit(app, baseline);
    const rel = await gh().api('POST', `/api/v1/apps/${app}/release`, { version: 1 }, ownerToken());
    assert.equal(rel.status, 200, JSON.stringify(rel.body));
    for (let i = 0; i < runs; i++) {
      const r = await gh().api('POST', `/api/v1/apps/${app}/runs`, { input: { account: `A-${i}` } }, ownerToken());
      assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 600));
    }
    assert.equal(await submit(app, candidate), 2);
  }

  async function start(app: string, policy = policyYaml): Promise<{ status: CanaryStatus; out: string }> {
    const file = join(gh().home, `${app}-policy.yaml`);
    writeFileSync(file, policy);
    const r = await gh().cli(['canary', 'start', app, '--version', '2', '--policy', file], ownerToken());
    assert.equal(r.code, 0, r.err + r.out);
    return { status: await status(app), out: r.out };
  }

  async function status(app: string): Promise<CanaryStatus> {
    const s = await gh().api('GET', `/api/v1/apps/${app}/canary`, undefined, ownerToken());
    assert.equal(s.status, 200, JSON.stringify(s.body));
    return s.body as unknown as CanaryStatus;
  }

  return { stateOf, submit, appWith, start, status };
}
