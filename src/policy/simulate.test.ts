// Simulation replays what the bundle decided, not refusals the gateway made after the bundle allowed a call.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LoggedDecision } from './decision-log.js';
import type { PolicyEvaluator } from './evaluator.js';
import { simulate } from './simulate.js';

const allowAll = {
  revision: 'cand',
  decide: () => ({ effect: 'allow', obligations: {}, matched: [], warnings: [], errors: [], reason: 'ok' }),
} as unknown as PolicyEvaluator;

function logged(id: string, matched: string, request: Record<string, unknown>): LoggedDecision {
  return {
    id,
    time: 1,
    effect: 'deny',
    obligations: {},
    warnings: [],
    bundleRevision: 'active',
    reason: 'no',
    matched: [{ policy: matched, effect: 'deny', mode: 'enforce', reason: 'no' }],
    errors: [],
    app: 'desk',
    appVersion: 1,
    action: 'model.invoke',
    subject: 'alice',
    resource: { type: 'model', id: 'gpt' },
    traceId: null,
    input: { action: 'model.invoke', subject: {}, resource: { type: 'model', id: 'gpt' }, request },
  } as unknown as LoggedDecision;
}

describe('simulate', () => {
  it('replays policy denials and skips budget or DLP refusals recorded after an allow', () => {
    const report = simulate(
      allowAll,
      [
        logged('dec_policy', 'no-gpt', { model: 'gpt' }),
        logged('dec_budget', 'budget:app_daily_cost', {
          refusal: { status: 429, code: 'budget_exhausted', after: 'x' },
        }),
        logged('dec_dlp', 'dlp', { refusal: { status: 403, code: 'dlp_blocked', after: 'y' } }),
      ],
      { since: 0, activeRevision: 'active' },
    );
    assert.equal(report.changed, 1);
    assert.equal(report.skipped, 2);
    assert.deepEqual(
      report.byPolicy.map((p) => p.policy),
      ['no-gpt'],
    );
  });
});
