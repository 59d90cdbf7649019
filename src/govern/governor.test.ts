// govern(): identify from catalog and apps, gate, decide with the active bundle, record to every sink; fail closed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AppReader, AppVersion, AppManifest } from '../apps/manifest-schema.js';
import type {
  CatalogDoc,
  CatalogReader,
  ConnectorDoc,
  DatasetDoc,
  ModelDoc,
  UserDoc,
} from '../catalog/catalog-schema.js';
import { ManualClock } from '../core/clock.js';
import type { Decision, GovernanceRequest, LimitOverlay } from '../core/governance.js';
import { silentLogger } from '../core/logger.js';
import { compileBundle } from '../policy/compiler.js';
import { PolicyEvaluator } from '../policy/evaluator.js';
import { createGovernor, type DecisionPoint } from './governor.js';
import { appScopeFromManifest } from './identify.js';

const user = (name: string, roles: UserDoc['spec']['roles']): UserDoc => ({
  apiVersion: 'gatehouse/v1',
  kind: 'User',
  metadata: { name },
  spec: { roles, groups: ['g'] },
});
const connector = (name: string, sensitive: boolean, approved: boolean): ConnectorDoc => ({
  apiVersion: 'gatehouse/v1',
  kind: 'Connector',
  metadata: { name, owner: 'dana' },
  spec: { kind: 'http', endpoints: ['https://x/*'], sensitive, approved, allowPrivateNetwork: false },
});
const dataset = (name: string, classification: DatasetDoc['spec']['classification']): DatasetDoc => ({
  apiVersion: 'gatehouse/v1',
  kind: 'Dataset',
  metadata: { name, owner: 'dana' },
  spec: { classification, region: 'eu', columns: [{ name: 'email', tags: ['pii'] }] },
});
const model: ModelDoc = {
  apiVersion: 'gatehouse/v1',
  kind: 'Model',
  metadata: { name: 'm1' },
  spec: {
    provider: 'openai',
    upstream: 'http://127.0.0.1:1/v1',
    region: 'eu',
    version: '1',
    pricing: { inputPerMTok: 1, outputPerMTok: 1 },
    environments: ['dev'],
    risk: 'low',
  },
};

const docs: CatalogDoc[] = [
  user('alice', ['creator']),
  user('dana', ['data_owner']),
  connector('crm', true, false),
  connector('wiki', false, true),
  dataset('transcripts', 'pii'),
  model,
];
const catalog: CatalogReader = {
  user: (n) => docs.find((d): d is UserDoc => d.kind === 'User' && d.metadata.name === n),
  connector: (n) => docs.find((d): d is ConnectorDoc => d.kind === 'Connector' && d.metadata.name === n),
  dataset: (n) => docs.find((d): d is DatasetDoc => d.kind === 'Dataset' && d.metadata.name === n),
  model: (n) => docs.find((d): d is ModelDoc => d.kind === 'Model' && d.metadata.name === n),
  list: (k) => docs.filter((d) => d.kind === k) as never,
};

const manifest = (name: string): AppManifest => ({
  apiVersion: 'gatehouse/v1',
  kind: 'App',
  metadata: { name, owner: 'alice' },
  spec: {
    purpose: 'testing',
    environment: 'dev',
    region: 'eu',
    runtime: { tier: 'wasm', entrypoint: 'main.ts', files: [] },
    models: [{ id: 'm1' }],
    data: [{ dataset: 'transcripts', access: 'read', purpose: 'support', columns: [] }],
    connectors: [{ id: 'crm' }, { id: 'wiki' }],
    egress: [],
    users: { groups: [] },
    prompts: [],
  },
});
const versions: AppVersion[] = [
  {
    app: 'bot',
    version: 1,
    hash: 'h1',
    manifest: manifest('bot'),
    code: {},
    state: 'released',
    submittedBy: 'alice',
    createdAt: 0,
  },
  {
    app: 'bot',
    version: 2,
    hash: 'h2',
    manifest: manifest('bot'),
    code: {},
    state: 'killed',
    submittedBy: 'alice',
    createdAt: 0,
  },
];
const apps: AppReader = {
  getVersion: async (a, v) => versions.find((x) => x.app === a && x.version === v),
  latestVersion: async (a) => versions.filter((x) => x.app === a).at(-1),
  inForce: async (a) => versions.find((x) => x.app === a && x.state === 'released'),
  listVersions: async (a) => versions.filter((x) => x.app === a),
};

const policies = `apiVersion: gatehouse/v1
kind: Policy
metadata: { name: deny_unapproved_connector }
spec:
  match: { resourceTypes: [connector] }
  condition: resource.sensitive && !resource.approved && !("data_owner" in subject.roles)
  effect: deny
  message: "Connector {{resource.id}} is not approved for this app"
---
apiVersion: gatehouse/v1
kind: Policy
metadata: { name: pii_needs_owner }
spec:
  match: { actions: [app.submit] }
  condition: '"pii" in resource.classifications'
  effect: require_approval
`;

function setup(opts: { gate?: boolean; engine?: DecisionPoint; overlay?: LimitOverlay } = {}) {
  const recorded: [Decision, GovernanceRequest][] = [];
  const clock = new ManualClock();
  const engine =
    opts.engine ??
    new PolicyEvaluator(compileBundle([{ path: 'p.yaml', content: policies }]), { now: () => clock.now() });
  const governor = createGovernor({
    catalog,
    apps,
    engine,
    clock,
    logger: silentLogger,
    overlay: opts.overlay,
    gate: opts.gate
      ? {
          check: (r) =>
            r.subject.app === 'bot' ? { code: 'killed', reason: 'app bot is killed', scope: 'app:bot' } : null,
        }
      : undefined,
    sinks: [
      { record: (d, r) => void recorded.push([d, r]) },
      {
        record: () => {
          throw new Error('sink down');
        },
      },
    ],
  });
  return { governor, recorded };
}

describe('govern()', () => {
  it('merges temporary caps into allowed decisions before recording them, most restrictive wins; denials stay as they are', async () => {
    const overlay: LimitOverlay = {
      limitsFor: (r) =>
        r.subject.app === 'bot'
          ? { obligations: { maxOutputTokens: 256, rowLimit: 10 }, reason: 'cap cap_1 on app bot: token spike' }
          : null,
    };
    const { governor, recorded } = setup({ overlay });
    const d = await governor.govern({
      action: 'connector.call',
      subject: { user: 'alice', app: 'bot' },
      resource: { type: 'connector', id: 'wiki' },
    });
    assert.equal(d.effect, 'allow');
    assert.deepEqual(d.obligations, { maxOutputTokens: 256, rowLimit: 10 });
    assert.ok(d.warnings.includes('cap cap_1 on app bot: token spike'));
    assert.deepEqual(recorded.at(-1)?.[0].obligations, d.obligations, 'the decision log sees the capped limits');
    const denied = await governor.govern({
      action: 'connector.call',
      subject: { user: 'alice', app: 'bot' },
      resource: { type: 'connector', id: 'crm' },
    });
    assert.equal(denied.effect, 'deny');
    assert.deepEqual(denied.obligations, {});
  });

  it('identifies roles, app scope and catalog attributes, then denies an unapproved sensitive connector', async () => {
    const { governor, recorded } = setup();
    const d = await governor.govern({
      action: 'connector.call',
      subject: { user: 'alice', app: 'bot' },
      resource: { type: 'connector', id: 'crm' },
    });
    assert.equal(d.effect, 'deny');
    assert.equal(d.reason, 'Connector crm is not approved for this app');
    const [rd, req] = recorded[0];
    assert.equal(rd.id, d.id);
    assert.deepEqual(req.subject.roles, ['creator']);
    assert.equal(req.app?.version, 1);
    assert.deepEqual(req.app?.connectors, ['crm', 'wiki']);
    assert.equal(req.resource.attributes.approved, false);
    const owner = await governor.govern({
      action: 'connector.call',
      subject: { user: 'dana', app: 'bot' },
      resource: { type: 'connector', id: 'crm' },
    });
    assert.equal(owner.effect, 'allow');
  });

  it('catalog attributes win over caller-supplied ones', async () => {
    const { governor } = setup();
    const d = await governor.govern({
      action: 'connector.call',
      subject: { user: 'alice', app: 'bot' },
      resource: { type: 'connector', id: 'crm', attributes: { approved: true } },
    });
    assert.equal(d.effect, 'deny');
  });

  it('ignores a smuggled __proto__ attribute (hostile caller JSON)', async () => {
    const { governor, recorded } = setup();
    const attributes = JSON.parse('{"__proto__": {"approved": true, "sensitive": false}, "approved": true}') as Record<
      string,
      unknown
    >;
    const d = await governor.govern({
      action: 'connector.call',
      subject: { user: 'alice', app: 'bot' },
      resource: { type: 'connector', id: 'crm', attributes },
    });
    assert.equal(d.effect, 'deny');
    const dd = await governor.govern({
      action: 'connector.call',
      subject: { user: 'alice', app: 'bot' },
      resource: { type: 'connector', id: 'wiki', attributes },
    });
    assert.equal(dd.effect, 'allow');
    assert.equal(Object.getPrototypeOf(recorded[0][1].resource.attributes), Object.prototype);
  });

  it('uses the candidate scope for app.submit and aggregates declared data classifications', async () => {
    const { governor, recorded } = setup();
    const d = await governor.govern({
      action: 'app.submit',
      subject: { user: 'alice' },
      resource: { type: 'app', id: 'newbot' },
      candidate: appScopeFromManifest(manifest('newbot'), 1, 'pending_approval'),
    });
    assert.equal(d.effect, 'require_approval');
    assert.deepEqual(recorded[0][1].resource.attributes.unapprovedConnectors, ['crm']);
    const missing = await governor.govern({
      action: 'app.submit',
      subject: { user: 'alice' },
      resource: { type: 'app', id: 'newbot' },
    });
    assert.equal(missing.effect, 'deny');
  });

  it('fails closed on unknown users, unknown resources, killed versions and apps with nothing in force', async () => {
    const { governor, recorded } = setup();
    const cases = [
      { action: 'model.invoke', subject: { user: 'mallory', app: 'bot' }, resource: { type: 'model', id: 'm1' } },
      {
        action: 'model.invoke',
        subject: { user: 'alice', app: 'bot' },
        resource: { type: 'model', id: 'not-in-catalog' },
      },
      {
        action: 'model.invoke',
        subject: { user: 'alice', app: 'bot', appVersion: 2 },
        resource: { type: 'model', id: 'm1' },
      },
      { action: 'model.invoke', subject: { user: 'alice', app: 'ghost' }, resource: { type: 'model', id: 'm1' } },
    ];
    for (const c of cases) {
      const d = await governor.govern(c);
      assert.equal(d.effect, 'deny', JSON.stringify(c));
      assert.equal(d.matched[0].policy, 'identify');
      assert.equal(d.errors.length, 1);
    }
    assert.equal(recorded.length, 4, 'refusals are recorded too');
    assert.match(recorded[2][0].reason, /version 2 is killed/);
    const ok = await governor.govern({
      action: 'model.invoke',
      subject: { user: 'alice', app: 'bot' },
      resource: { type: 'model', id: 'm1' },
    });
    assert.equal(ok.effect, 'allow');
  });

  it('denies by default a dataset the manifest does not declare', async () => {
    docs.push(dataset('payroll', 'regulated'));
    const { governor } = setup();
    const d = await governor.govern({
      action: 'data.query',
      subject: { user: 'alice', app: 'bot' },
      resource: { type: 'dataset', id: 'payroll' },
    });
    assert.equal(d.effect, 'deny');
    assert.equal(d.matched[0].policy, 'deny_by_default');
  });

  it('lets the gate refuse before any policy runs', async () => {
    const { governor } = setup({ gate: true });
    const d = await governor.govern({
      action: 'model.invoke',
      subject: { user: 'alice', app: 'bot' },
      resource: { type: 'model', id: 'm1' },
    });
    assert.deepEqual([d.effect, d.matched[0].policy, d.reason], ['deny', 'gate', 'app bot is killed (app:bot)']);
  });

  it('turns an engine failure into a recorded deny instead of throwing', async () => {
    const { governor, recorded } = setup({
      engine: {
        activeRevision: 'r1',
        decide: () => {
          throw new Error('boom');
        },
      },
    });
    const d = await governor.govern({
      action: 'model.invoke',
      subject: { user: 'alice', app: 'bot' },
      resource: { type: 'model', id: 'm1' },
    });
    assert.equal(d.effect, 'deny');
    assert.match(d.reason, /policy decision failed: boom \(fail closed\)/);
    assert.equal(recorded.length, 1);
  });
  it('records an enforcement refusal as a deny with its own id, naming the decision that had allowed the call', async () => {
    const { governor, recorded } = setup();
    const allowed = await governor.govern({
      action: 'model.invoke',
      subject: { user: 'alice', app: 'bot' },
      resource: { type: 'model', id: 'm1' },
    });
    assert.equal(allowed.effect, 'allow');
    const d = await governor.recordRefusal!(
      { action: 'model.invoke', subject: { user: 'alice', app: 'bot' }, resource: { type: 'model', id: 'm1' } },
      { code: 'budget_exhausted', by: 'budget:app_daily_cost', reason: 'daily budget', status: 429, after: allowed.id },
    );
    assert.notEqual(d.id, allowed.id);
    assert.equal(d.effect, 'deny');
    assert.deepEqual(d.refusal, { step: 'enforce', code: 'budget_exhausted', status: 429, after: allowed.id });
    assert.equal(d.matched[0].policy, 'budget:app_daily_cost');
    const [last, lastReq] = recorded.at(-1)!;
    assert.equal(last.id, d.id);
    assert.equal(lastReq.subject.app, 'bot');
    assert.deepEqual(lastReq.request.refusal, { status: 429, code: 'budget_exhausted', after: allowed.id });
  });
});
