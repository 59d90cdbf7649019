// The pure condition states on their own: what a regression counts as an error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TelemetryEvent } from '../core/sinks.js';
import { createConditionState } from './alert-conditions.js';

const call = (version: number, outcome: string, time: number): TelemetryEvent => ({
  kind: 'model.invocation',
  time,
  app: 'svc',
  appVersion: version,
  metrics: { latencyMs: 10 },
  attrs: { outcome },
});

describe('regression error_rate', () => {
  const condition = { type: 'regression', measure: 'error_rate', factor: 2, window: 600_000, minEvents: 10 } as const;

  it('counts gateway upstream_error outcomes as errors, so a version whose provider calls fail regresses', () => {
    const state = createConditionState(condition);
    let t = 1_000;
    for (let i = 0; i < 10; i++) assert.equal(state.observe(call(1, 'ok', t++), 1), null);
    let fired = null;
    for (let i = 0; i < 10 && !fired; i++) fired = state.observe(call(2, 'upstream_error', t++), 1);
    assert.ok(fired, 'ten failing provider calls on v2 against none on v1 fire the rule');
    assert.equal(fired.observed.version, 2);
    assert.equal(fired.observed.value, 1);
    assert.equal(fired.observed.previous, 0);
  });

  it('does not count refusals the caller earned (denied, limited, invalid, dlp_blocked) as errors', () => {
    const state = createConditionState(condition);
    let t = 1_000;
    for (let i = 0; i < 10; i++) state.observe(call(1, 'ok', t++), 1);
    const outcomes = ['denied', 'limited', 'invalid', 'dlp_blocked'];
    for (let i = 0; i < 20; i++) assert.equal(state.observe(call(2, outcomes[i % 4], t++), 1), null);
  });
});
