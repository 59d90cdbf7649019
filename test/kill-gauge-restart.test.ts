// Kills loaded from the store at start count in gatehouse_kill_switches_active: telemetry exists before rollout
// loads them (no late-bound holder).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { silentLogger } from '../src/core/logger.js';
import { configSchema } from '../src/feature-registry.js';
import { createGatehouse } from '../src/main.js';
import { tempDir } from '../src/testing/databases.js';

describe('kill gauge across a restart', () => {
  it('counts a kill set before the restart', async () => {
    const home = tempDir('gh-gauge-');
    const config = configSchema.parse({
      home,
      server: { host: '127.0.0.1', port: 0 },
      adminToken: 'gauge-admin-token-0123456789',
      logLevel: 'silent',
    });
    try {
      const first = await createGatehouse(config, { logger: silentLogger });
      await first.observability.rollout.service.kill({ scope: 'app', target: 'faq-bot', reason: 'test', actor: 'sec' });
      await first.close();
      const second = await createGatehouse(config, { logger: silentLogger });
      try {
        const text = await second.observability.telemetry.prometheus.text();
        assert.match(text, /^gatehouse_kill_switches_active\{scope="app"\} 1$/m);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
