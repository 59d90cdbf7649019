// The AlertRule schema: the budget condition's fields and where it may be used.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAlertRules } from './alert-rule-schema.js';

const rule = (spec: Record<string, unknown>) => [
  {
    source: 'r.yaml',
    value: { apiVersion: 'gatehouse/v1', kind: 'AlertRule', metadata: { name: 'budget-80' }, spec },
  },
];

describe('cost_over_budget_pct rules', () => {
  it('parses a percentage of the daily budget', () => {
    const [r] = parseAlertRules(
      rule({
        match: { kind: 'model.invocation' },
        condition: { type: 'cost_over_budget_pct', value: 80 },
        actions: [{ notify: { webhook: 'http://127.0.0.1:9/x' } }],
      }),
    );
    assert.deepEqual(r.spec.condition, { type: 'cost_over_budget_pct', value: 80 });
    assert.equal(r.spec.groupBy, 'app');
  });

  it('refuses a percentage outside (0, 100], another groupBy than app, or events other than model.invocation', () => {
    const base = {
      match: { kind: 'model.invocation' },
      condition: { type: 'cost_over_budget_pct', value: 80 },
      actions: [{ kill: {} }],
    };
    assert.throws(
      () => parseAlertRules(rule({ ...base, condition: { type: 'cost_over_budget_pct', value: 0 } })),
      /spec\.condition\.value/,
    );
    assert.throws(
      () => parseAlertRules(rule({ ...base, condition: { type: 'cost_over_budget_pct', value: 120 } })),
      /spec\.condition\.value.*at most 100/,
    );
    assert.throws(() => parseAlertRules(rule({ ...base, groupBy: 'user' })), /cost_over_budget_pct needs groupBy app/);
    assert.throws(
      () => parseAlertRules(rule({ ...base, match: { kind: 'dlp.detection' } })),
      /cost_over_budget_pct watches model\.invocation events/,
    );
  });
});
