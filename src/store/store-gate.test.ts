// The store gate: refuses governed actions while the store does not answer (an error or no answer in time),
// reports it on the health board, and lets traffic through again once a probe succeeds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GovernanceRequest } from '../core/governance.js';
import { HealthBoard } from '../core/health.js';
import { StoreGate } from './store-gate.js';

const req = { action: 'model.invoke' } as GovernanceRequest;

describe('StoreGate', () => {
  it('refuses while the store fails or hangs and clears when it answers', async () => {
    let mode: 'ok' | 'error' | 'hang' = 'ok';
    const db = {
      dialect: 'postgres' as const,
      get: async <T>() => {
        if (mode === 'error') throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        if (mode === 'hang') await new Promise(() => undefined);
        return { ok: 1 } as T;
      },
    };
    const health = new HealthBoard();
    const gate = new StoreGate({ db, description: 'postgres://db:5432/gh', health, timeoutMs: 50 });
    await gate.probe();
    assert.equal(gate.check(req), null);
    mode = 'error';
    await gate.probe();
    const r = gate.check(req);
    assert.equal(r?.code, 'store_unavailable');
    assert.match(r!.reason, /postgres:\/\/db:5432\/gh\) is unreachable: connect ECONNREFUSED/);
    assert.equal(health.status().problems[0].component, 'store');
    mode = 'hang';
    await gate.probe();
    assert.match(gate.check(req)!.reason, /no answer within the probe timeout/);
    mode = 'ok';
    await gate.probe();
    assert.equal(gate.check(req), null);
    assert.equal(health.status().status, 'ok');
  });
});
