// The demo's own catalog entries, apps and alert rules (all named `demo-…`), so it never touches a real app.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { repoPath } from '../core/repo-root.js';

export const DEMO = {
  user: 'demo-analyst',
  owner: 'demo-owner',
  dataOwner: 'demo-data-owner',
  dataset: 'demo-customer-records',
  ssnApp: 'demo-ssn-app',
  spikeApp: 'demo-spike-app',
  leaky: 'demo-chat-v2',
  safe: 'demo-chat-v1',
  premium: 'demo-premium',
  economy: 'demo-economy',
  ssnRule: 'demo-repeated-ssn-kill',
  spikeRule: 'demo-token-spike-cap',
} as const;

/** Prices of the demo models, per million tokens: the spike's saving is computed from them. */
export const PRICES: Record<string, { inputPerMTok: number; outputPerMTok: number }> = {
  [DEMO.leaky]: { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  [DEMO.safe]: { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  [DEMO.premium]: { inputPerMTok: 2.5, outputPerMTok: 10 },
  [DEMO.economy]: { inputPerMTok: 0.15, outputPerMTok: 0.6 },
};

type Doc = Record<string, unknown>;

const user = (name: string, roles: string[]): Doc => ({
  apiVersion: 'gatehouse/v1',
  kind: 'User',
  metadata: { name },
  spec: { roles, groups: ['demo-users'], email: `${name}@demo.invalid` },
});

const model = (name: string, upstream: string): Doc => ({
  apiVersion: 'gatehouse/v1',
  kind: 'Model',
  metadata: { name, description: 'gatehouse demo incidents: served by a local fake provider' },
  spec: {
    provider: 'openai',
    upstream,
    region: 'eu-west-1',
    version: 'demo',
    pricing: PRICES[name],
    environments: ['dev', 'staging', 'prod'],
    risk: 'low',
  },
});

/** Catalog documents; `upstreams` maps each demo model to the base URL of its fake provider. */
export function catalogDocs(upstreams: Record<string, string>): Doc[] {
  return [
    user(DEMO.user, ['creator']),
    user(DEMO.owner, ['creator']),
    user(DEMO.dataOwner, ['data_owner']),
    {
      apiVersion: 'gatehouse/v1',
      kind: 'Dataset',
      metadata: { name: DEMO.dataset, owner: DEMO.dataOwner, description: 'gatehouse demo: customer records' },
      spec: {
        classification: 'internal',
        region: 'eu-west-1',
        columns: [
          { name: 'id', tags: [] },
          { name: 'notes', tags: ['free_text'] },
        ],
      },
    },
    ...Object.entries(upstreams).map(([name, url]) => model(name, url)),
  ];
}

export function appManifest(app: string, models: Doc[], data = false): Doc {
  return {
    apiVersion: 'gatehouse/v1',
    kind: 'App',
    metadata: { name: app, owner: DEMO.owner, description: 'gatehouse demo incidents' },
    spec: {
      purpose: 'Play a case study of the design brief with gatehouse demo incidents',
      environment: 'dev',
      region: 'eu-west-1',
      runtime: { tier: 'wasm', entrypoint: 'main.js' },
      models,
      ...(data
        ? { data: [{ dataset: DEMO.dataset, access: 'read', purpose: 'answer questions', columns: ['id', 'notes'] }] }
        : {}),
      users: { groups: ['demo-users'] },
      budgets: { dailyCostUsd: 50 },
    },
  };
}

export const APP_CODE = { 'main.js': 'export default async function main(ctx, input) { return input; }\n' };

interface RuleDoc {
  metadata: { name: string; description?: string };
  spec: {
    match: Record<string, unknown>;
    condition: Record<string, unknown>;
    actions: Record<string, unknown>[];
  };
}

function shipped(file: string): RuleDoc {
  return parse(readFileSync(repoPath('examples', 'alerts', file), 'utf8')) as RuleDoc;
}

/** The shipped rule scoped to one demo app, posting to the demo's receiver instead of 127.0.0.1:9099. */
function scoped(doc: RuleDoc, name: string, app: string, hook: string): RuleDoc {
  doc.metadata.name = name;
  doc.spec.match.app = app;
  doc.spec.actions = doc.spec.actions.map((a) =>
    'notify' in a
      ? { notify: { webhook: `${hook}${new URL((a.notify as { webhook: string }).webhook).pathname}` } }
      : a,
  );
  return doc;
}

/** examples/alerts/repeated-ssn-kill.yaml, with a rollback after the kill (the brief's case rolls the app back). */
export function ssnRule(hook: string): Doc {
  const doc = scoped(shipped('repeated-ssn-kill.yaml'), DEMO.ssnRule, DEMO.ssnApp, hook);
  doc.spec.actions.push({ rollback: {} });
  return doc as unknown as Doc;
}

/**
 * examples/alerts/token-spike-cap.yaml. Its anomaly condition needs 5 closed minutes of baseline; `fast` swaps it for
 * a threshold on the same metric and volume (tokens >= minVolume in 1 minute) so the case plays in seconds.
 */
export function spikeRule(hook: string, fast: boolean): Doc {
  const doc = scoped(shipped('token-spike-cap.yaml'), DEMO.spikeRule, DEMO.spikeApp, hook);
  if (fast) {
    const minVolume = Number(doc.spec.condition.minVolume);
    doc.spec.condition = { type: 'threshold', metric: 'tokens', op: '>=', value: minVolume, window: '1m' };
  }
  return doc as unknown as Doc;
}
