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

describe('cost_over_budget_pct', () => {
  const DAY = 86_400_000;
  const spend = (time: number, spentUsd: number, budgetUsd?: number): TelemetryEvent => ({
    kind: 'model.invocation',
    time,
    app: 'svc',
    appVersion: 1,
    metrics: {
      costUsd: 0.01,
      appDailyCostUsd: spentUsd,
      ...(budgetUsd !== undefined ? { appDailyBudgetUsd: budgetUsd } : {}),
    },
  });

  it("fires once the app's cost today reaches the percentage of its daily budget, once per UTC day", () => {
    const state = createConditionState({ type: 'cost_over_budget_pct', value: 80 });
    const t0 = 10 * DAY + 3_600_000;
    assert.equal(state.observe(spend(t0, 3, 5), 1), null, '60 %');
    assert.equal(state.observe(spend(t0 + 1, 3.99, 5), 1), null, '79.8 %');
    const fired = state.observe(spend(t0 + 2, 4, 5), 1);
    assert.ok(fired, '80 % fires');
    assert.deepEqual(fired.observed, { value: 80, threshold: 80, costUsd: 4, budgetUsd: 5 });
    assert.match(fired.summary, /cost today \$4 is 80% of the daily budget \$5 \(>= 80%\)/);
    assert.equal(state.observe(spend(t0 + 3, 4.5, 5), 1), null, 'not again the same day');
    assert.ok(state.observe(spend(11 * DAY + 5, 4.2, 5), 1), 'again the next day');
  });

  it('ignores events of apps without a daily budget', () => {
    const state = createConditionState({ type: 'cost_over_budget_pct', value: 50 });
    assert.equal(state.observe(spend(1, 100), 1), null);
    assert.equal(state.observe(spend(2, 100, 0), 1), null);
  });
});
