// Test fixtures for admission and approvals: a test catalog (MemoryCatalog), a scripted governor, an in-memory state writer.
import type { AppManifest, AppVersion, LifecycleState } from '../../apps/manifest-schema.js';
import { manifestSchema } from '../../apps/manifest-schema.js';
import { MemoryCatalog } from '../../catalog/testing/memory-catalog.js';
import type { Decision, GovernInput, Governor } from '../../core/governance.js';
import type { AuditEventInput, AuditSink } from '../../core/sinks.js';
import type { AppStateWriter } from '../../apps/lifecycle.js';

const meta = (kind: string, name: string, spec: object, owner?: string) => ({
  apiVersion: 'gatehouse/v1',
  kind,
  metadata: { name, ...(owner ? { owner } : {}) },
  spec,
});

export function testCatalog(): MemoryCatalog {
  return new MemoryCatalog([
    meta('User', 'carol', { roles: ['creator'] }),
    meta('User', 'dora', { roles: ['data_owner'] }),
    meta('User', 'sam', { roles: ['security'] }),
    meta('User', 'lena', { roles: ['legal'] }),
    meta('User', 'ada', { roles: ['admin'] }),
    meta('Model', 'small-chat', {
      provider: 'openai',
      upstream: 'http://127.0.0.1:9/v1',
      region: 'eu-west-1',
      version: '1',
      pricing: { inputPerMTok: 0.1, outputPerMTok: 0.4 },
      environments: ['dev', 'staging', 'prod'],
      risk: 'low',
    }),
    meta('Model', 'big-reasoner', {
      provider: 'anthropic',
      upstream: 'http://127.0.0.1:9',
      region: 'us-east-1',
      version: '1',
      pricing: { inputPerMTok: 3, outputPerMTok: 15 },
      environments: ['prod'],
      risk: 'high',
    }),
    meta(
      'Dataset',
      'faq',
      { classification: 'internal', region: 'eu-west-1', columns: [{ name: 'question' }, { name: 'answer' }] },
      'dora',
    ),
    meta(
      'Dataset',
      'customers',
      {
        classification: 'pii',
        region: 'eu-west-1',
        columns: [{ name: 'name' }, { name: 'email', tags: ['pii'] }, { name: 'ssn', tags: ['pii'] }],
      },
      'dora',
    ),
    meta('Dataset', 'claims', { classification: 'regulated', region: 'us-east-1', columns: [{ name: 'id' }] }, 'dora'),
    meta(
      'Connector',
      'crm',
      { kind: 'http', endpoints: ['https://crm.internal.example.com/api'], approved: true },
      'sam',
    ),
    meta(
      'Connector',
      'shady',
      { kind: 'http', endpoints: ['https://shady.example.net'], sensitive: true, approved: false },
      'sam',
    ),
  ]);
}

export function manifest(
  overrides: { spec?: Partial<AppManifest['spec']>; name?: string; owner?: string } = {},
): AppManifest {
  return manifestSchema.parse({
    apiVersion: 'gatehouse/v1',
    kind: 'App',
    metadata: { name: overrides.name ?? 'helper', owner: overrides.owner ?? 'carol' },
    spec: {
      purpose: 'answer FAQ questions',
      environment: 'dev',
      region: 'eu-west-1',
      runtime: { tier: 'wasm', entrypoint: 'main.js' },
      models: [{ id: 'small-chat' }],
      data: [{ dataset: 'faq', access: 'read', purpose: 'answers', columns: ['question', 'answer'] }],
      budgets: { dailyCostUsd: 5 },
      ...overrides.spec,
    },
  });
}

export function version(
  m: AppManifest,
  code: Record<string, string>,
  v = 1,
  state: LifecycleState = 'draft',
): AppVersion {
  return {
    app: m.metadata.name,
    version: v,
    hash: `h${v}-${Math.random().toString(16).slice(2)}`,
    manifest: m,
    code,
    state,
    submittedBy: m.metadata.owner,
    createdAt: 0,
  };
}

export function fakeGovernor(
  effect: Decision['effect'] = 'allow',
  extra: Partial<Decision> = {},
): Governor & { calls: GovernInput[] } {
  const calls: GovernInput[] = [];
  return {
    calls,
    async govern(input) {
      calls.push(input);
      return {
        id: `dec_${calls.length}`,
        time: 0,
        effect,
        obligations: {},
        warnings: [],
        matched: [],
        bundleRevision: 'test',
        reason: `test ${effect}`,
        errors: [],
        ...extra,
      };
    },
  };
}

export class MemoryStates implements AppStateWriter {
  readonly states = new Map<string, LifecycleState>();
  put(app: string, v: number, s: LifecycleState) {
    this.states.set(`${app}@${v}`, s);
  }
  async getState(app: string, v: number) {
    return this.states.get(`${app}@${v}`);
  }
  async setState(app: string, v: number, from: LifecycleState, to: LifecycleState) {
    if (this.states.get(`${app}@${v}`) !== from) return false;
    this.states.set(`${app}@${v}`, to);
    return true;
  }
}

export class MemoryAudit implements AuditSink {
  readonly events: AuditEventInput[] = [];
  async append(e: AuditEventInput) {
    this.events.push(e);
    return { index: this.events.length - 1 };
  }
  types(): string[] {
    return this.events.map((e) => e.type);
  }
}
