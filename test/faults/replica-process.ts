// One Gatehouse replica in its own process for the crash tests: a real server on 127.0.0.1 whose store lives in
// GATEHOUSE_HOME, so a SIGKILLed process restarted on the same home finds everything it made durable.
// argv: home, fake upstream base URL, audit durability (batch|sync), admin token, app name, the app's daily budget
// (USD). Reports {url, key} over IPC once serving. Not a module to import: it starts a server when loaded.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { configSchema } from '../../src/feature-registry.js';
import { createGatehouse } from '../../src/main.js';
import { approvedApp, pointModelAt } from '../../src/testing/approved-app.js';

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
  await pointModelAt(gh, [home], 'gpt-4o-mini', upstreamBase, 'sk-fake-provider');
  await approvedApp(gh, {
    name: CRASH_APP,
    purpose: 'crash test traffic',
    models: [{ id: 'gpt-4o-mini', maxInputTokens: 256, maxOutputTokens: 16 }],
    budgets: { dailyCostUsd: CRASH_BUDGET_USD, requestsPerMinute: 1_000_000, tokensPerMinute: 1_000_000_000 },
  });
  const key = (await gh.gateway.credentials.createKey(CRASH_APP, undefined, 'alice')).key;
  writeFileSync(join(home, 'crash-app-key'), key, { mode: 0o600 });
}
const server = await gh.listen();
process.send?.({ url: server.url, key: readFileSync(join(home, 'crash-app-key'), 'utf8') });
process.on('disconnect', () => void server.close().then(() => gh.close().then(() => process.exit(0))));
