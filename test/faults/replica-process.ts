// One Gatehouse replica in its own process for the crash tests: a real server on 127.0.0.1 whose store lives in
// GATEHOUSE_HOME, so a SIGKILLed process restarted on the same home finds everything it made durable.
// argv: home, fake upstream base URL, audit durability (batch|sync), admin token, app name, the app's daily budget
// (USD). Reports {url, key} over IPC once serving. Not a module to import: it starts a server when loaded.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { configSchema } from '../../src/feature-registry.js';
import { createGatehouse } from '../../src/main.js';

const [home, upstreamBase, durability, CRASH_ADMIN, CRASH_APP, budget] = process.argv.slice(2);
const CRASH_BUDGET_USD = Number(budget);
const first = !existsSync(join(home, 'crash-app-key'));
const config = configSchema.parse({
  home,
  server: { host: '127.0.0.1', port: 0 },
  adminToken: CRASH_ADMIN,
  logLevel: 'silent',
  seedExamples: first,
  gateway: { auditDurability: durability },
});
const gh = await createGatehouse(config, { logger: silentLogger });
if (first) {
  const doc = gh.catalog.model('gpt-4o-mini');
  if (!doc) throw new Error('the examples have no gpt-4o-mini');
  await gh.catalog.apply(
    [{ source: 'crash', value: { ...doc, spec: { ...doc.spec, upstream: upstreamBase } } }],
    'admin',
  );
  mkdirSync(join(home, 'model-keys'), { recursive: true });
  writeFileSync(join(home, 'model-keys', 'gpt-4o-mini'), 'sk-fake-provider\n', { mode: 0o600 });
  const manifest = {
    apiVersion: 'gatehouse/v1',
    kind: 'App',
    metadata: { name: CRASH_APP, owner: 'alice' },
    spec: {
      purpose: 'crash test traffic',
      environment: 'dev',
      region: 'eu-west-1',
      runtime: { tier: 'wasm', entrypoint: 'main.js' },
      models: [{ id: 'gpt-4o-mini', maxInputTokens: 256, maxOutputTokens: 16 }],
      budgets: { dailyCostUsd: CRASH_BUDGET_USD, requestsPerMinute: 1_000_000, tokensPerMinute: 1_000_000_000 },
    },
  };
  const sub = await gh.apps.submit(
    manifest,
    { 'main.js': 'export async function main() { return 1; }' },
    { user: 'alice', roles: ['creator'], groups: [] },
  );
  if (!(await gh.apps.inForce(CRASH_APP)))
    await gh.apps.lifecycle.transition({
      app: CRASH_APP,
      version: sub.version.version,
      from: sub.version.state,
      to: 'approved',
      actor: 'admin',
      reason: 'crash test',
    });
  const key = (await gh.gateway.credentials.createKey(CRASH_APP, undefined, 'alice')).key;
  writeFileSync(join(home, 'crash-app-key'), key, { mode: 0o600 });
}
const server = await gh.listen();
process.send?.({ url: server.url, key: readFileSync(join(home, 'crash-app-key'), 'utf8') });
process.on('disconnect', () => void server.close().then(() => gh.close().then(() => process.exit(0))));
