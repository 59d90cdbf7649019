// Issue 20: different submissions of one app racing (several replicas, or one busy API on PostgreSQL) each get
// their own version number; none fails with a store conflict.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testStores } from '../src/testing/databases.js';
import { startTestGatehouse } from '../src/testing/test-gatehouse.js';

const manifest = (n: number) => ({
  apiVersion: 'gatehouse/v1',
  kind: 'App',
  metadata: { name: 'race-bot', owner: 'alice' },
  spec: {
    purpose: `answer questions, variant ${n}`,
    environment: 'dev',
    region: 'eu-west-1',
    runtime: { tier: 'wasm', entrypoint: 'main.js' },
    models: [{ id: 'gpt-4o-mini', maxInputTokens: 512, maxOutputTokens: 64 }],
  },
});

for (const store of testStores) {
  describe(`racing submissions on ${store}`, () => {
    it('eight different versions submitted at once get versions 1..8', async () => {
      const t = await startTestGatehouse({ store });
      try {
        const alice = { user: 'alice', roles: ['creator' as const], groups: [] };
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, n) =>
            t.gh.apps.submit(manifest(n), { 'main.js': `export async function main() { return ${n}; }` }, alice),
          ),
        );
        assert.deepEqual(
          results.map((r) => r.version.version).sort((a, b) => a - b),
          [1, 2, 3, 4, 5, 6, 7, 8],
        );
        assert.ok(results.every((r) => r.created));
      } finally {
        await t.close();
      }
    });
  });
}
