// Purpose binding: the manifest's spec.data[].purpose reaches policies as request.purpose, so a bundle can require a
// purpose from a controlled vocabulary per classification (the example in docs/data.md, compiled and decided here).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GovernanceRequest } from '../core/governance.js';
import { compileBundle } from '../policy/compiler.js';
import { PolicyEvaluator } from '../policy/evaluator.js';

const POLICY = `apiVersion: gatehouse/v1
kind: Policy
metadata:
  name: pii_purposes
spec:
  match: { actions: [data.query], resourceTypes: [dataset] }
  condition: |
    resource.classification == "pii" && !(request.purpose in ["support triage", "fraud review"])
  effect: deny
  message: "pii dataset {{resource.id}} may only be read for support triage or fraud review, not '{{request.purpose}}'"
`;

const decide = (classification: string, purpose: string) =>
  new PolicyEvaluator(compileBundle([{ path: 'p.yaml', content: POLICY }]), { now: () => 1 }).decide({
    action: 'data.query',
    subject: { user: 'alice', roles: [], groups: [] },
    resource: { type: 'dataset', id: 'customers', attributes: { classification } },
    request: { columns: ['id', 'email'], purpose },
  } satisfies GovernanceRequest);

describe('purpose binding (request.purpose)', () => {
  it('denies a pii read whose declared purpose is outside the vocabulary, and names it', () => {
    const d = decide('pii', 'marketing emails');
    assert.equal(d.effect, 'deny');
    assert.match(d.reason, /not 'marketing emails'/);
  });

  it('allows a listed purpose, and any purpose on a non-pii dataset', () => {
    assert.equal(decide('pii', 'support triage').effect, 'allow');
    assert.equal(decide('internal', 'marketing emails').effect, 'allow');
  });
});
