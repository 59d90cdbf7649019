// Every --since takes the same forms: `costs`, `decisions list` and `audit list` all accept 1w and an ISO date.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGatehouse, type TestGatehouse } from '../src/testing/test-gatehouse.js';

describe('--since across the CLI', () => {
  let t: TestGatehouse;
  before(async () => {
    t = await startTestGatehouse();
  });
  after(async () => t.close());

  for (const args of [['costs'], ['decisions', 'list'], ['audit', 'list']])
    it(`gatehouse ${args.join(' ')} --since 1w | 2026-01-01 | bad`, async () => {
      for (const since of ['1w', '2026-01-01']) {
        const r = await t.cli([...args, '--since', since, '--json']);
        assert.equal(r.code, 0, `${since}: ${r.err}`);
      }
      const bad = await t.cli([...args, '--since', 'yesterday-ish']);
      assert.equal(bad.code, 2, bad.out);
      assert.match(bad.err, /since/);
    });
});
