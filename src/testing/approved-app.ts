// Test and bench setup on a running Gatehouse: an app submitted and approved in one step (its manifest filled in
// with the defaults every fixture repeats), and a catalog model pointed at a fake provider with its key in homes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Gatehouse } from '../main.js';

export interface AppFixture {
  name: string;
  purpose?: string;
  models: Record<string, unknown>[];
  budgets?: Record<string, number>;
}

export async function approvedApp(gh: Gatehouse, app: AppFixture): Promise<void> {
  const sub = await gh.apps.submit(
    {
      apiVersion: 'gatehouse/v1',
      kind: 'App',
      metadata: { name: app.name, owner: 'alice' },
      spec: {
        purpose: app.purpose ?? `fixture app ${app.name}`,
        environment: 'dev',
        region: 'eu-west-1',
        runtime: { tier: 'wasm', entrypoint: 'main.js' },
        models: app.models,
        ...(app.budgets ? { budgets: app.budgets } : {}),
      },
    },
    { 'main.js': 'export async function main() { return 1; }' },
    { user: 'alice', roles: ['creator'], groups: [] },
  );
  if (!(await gh.apps.inForce(app.name)))
    await gh.apps.lifecycle.transition({
      app: app.name,
      version: sub.version.version,
      from: sub.version.state,
      to: 'approved',
      actor: 'admin',
      reason: 'test fixture',
    });
}

/** Points catalog model `model` at `upstreamBase` (…/v1) and writes its provider key into each home. */
export async function pointModelAt(
  gh: Gatehouse,
  homes: string[],
  model: string,
  upstreamBase: string,
  key: string,
): Promise<void> {
  const doc = gh.catalog.model(model);
  if (!doc) throw new Error(`no model ${model} in the catalog`);
  await gh.catalog.apply(
    [{ source: 'test', value: { ...doc, spec: { ...doc.spec, upstream: upstreamBase } } }],
    'admin',
  );
  for (const home of homes) {
    mkdirSync(join(home, 'model-keys'), { recursive: true });
    writeFileSync(join(home, 'model-keys', model), `${key}\n`, { mode: 0o600 });
  }
}
