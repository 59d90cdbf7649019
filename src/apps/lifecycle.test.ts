// Lifecycle: only legal transitions, each audited with who and why; compare-and-set against concurrent moves.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LIFECYCLE_STATES } from './lifecycle-states.js';
import { MemoryAudit, MemoryStates } from '../admission/testing/fixtures.js';
import { LIFECYCLE_TRANSITIONS, Lifecycle, canTransition } from './lifecycle.js';

describe('Lifecycle', () => {
  it('covers every state and follows the issue order', () => {
    assert.deepEqual(Object.keys(LIFECYCLE_TRANSITIONS).sort(), [...LIFECYCLE_STATES].sort());
    const path = ['draft', 'pending_approval', 'approved', 'canary', 'released', 'killed'] as const;
    for (let i = 1; i < path.length; i++)
      assert.ok(canTransition(path[i - 1], path[i]), `${path[i - 1]} -> ${path[i]}`);
    assert.equal(canTransition('draft', 'released'), false);
    assert.equal(canTransition('pending_approval', 'canary'), false);
    assert.equal(canTransition('rejected', 'approved'), false);
    assert.equal(canTransition('rolled_back', 'released'), false);
  });

  it('audits each legal move with actor, from, to and reason; refuses illegal ones with the legal list', async () => {
    const states = new MemoryStates();
    const audit = new MemoryAudit();
    const lc = new Lifecycle(states, audit);
    states.put('a', 1, 'approved');
    const r = await lc.transition({ app: 'a', version: 1, to: 'canary', actor: 'root', reason: 'start canary at 5%' });
    assert.deepEqual([r.from, r.to], ['approved', 'canary']);
    assert.deepEqual(audit.events[0], {
      type: 'app.lifecycle',
      actor: 'root',
      app: 'a',
      appVersion: 1,
      ids: undefined,
      data: { from: 'approved', to: 'canary', reason: 'start canary at 5%' },
    });
    await assert.rejects(lc.transition({ app: 'a', version: 1, to: 'pending_approval', actor: 'root', reason: 'x' }), {
      status: 409,
      message: /may move to: released, killed, rolled_back, retired/,
    });
    await assert.rejects(lc.transition({ app: 'a', version: 1, to: 'released', actor: 'root', reason: ' ' }), {
      status: 400,
    });
    await assert.rejects(lc.transition({ app: 'a', version: 9, to: 'released', actor: 'root', reason: 'x' }), {
      status: 400,
    });
    assert.equal(audit.events.length, 1);
  });

  it('loses cleanly to a concurrent move (compare-and-set)', async () => {
    const states = new MemoryStates();
    const lc = new Lifecycle(states, new MemoryAudit());
    states.put('a', 1, 'released');
    await assert.rejects(
      lc.transition({ app: 'a', version: 1, from: 'canary', to: 'released', actor: 'x', reason: 'promote' }),
      { status: 409 },
    );
    assert.equal(await states.getState('a', 1), 'released');
  });
});
