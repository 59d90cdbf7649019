// Tools in the decision path: the scope step refuses a tool the manifest does not declare for the model
// (spec.models[].tools, names or `*` patterns), and CEL policies read request.tools to deny or require approval.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GovernanceRequest } from '../core/governance.js';
import { compileBundle } from './compiler.js';
import { PolicyEvaluator } from './evaluator.js';

const policy = (name: string, spec: string) =>
  `apiVersion: gatehouse/v1\nkind: Policy\nmetadata:\n  name: ${name}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
const evaluator = (...docs: string[]) =>
  new PolicyEvaluator(compileBundle([{ path: 'p.yaml', content: docs.join('---\n') }]), { now: () => 1000 });

const app = {
  name: 'agent',
  version: 3,
  owner: 'alice',
  environment: 'prod' as const,
  region: 'eu',
  state: 'released',
  models: ['m1'],
  datasets: [],
  connectors: [],
  egress: [],
  spec: { models: [{ id: 'm1', tools: ['get_weather', 'search_*'] }] },
};
const call = (tools: string[]): GovernanceRequest => ({
  action: 'model.invoke',
  subject: { user: 'alice', roles: ['creator'], groups: [], app: 'agent' },
  resource: { type: 'model', id: 'm1', attributes: {} },
  request: { tools, toolCount: tools.length },
  app,
});

describe('tool policy', () => {
  it('scope: declared names and patterns pass; an undeclared tool is refused naming it and the manifest field', () => {
    const ev = evaluator(policy('ok', 'effect: allow'));
    assert.equal(ev.decide(call(['get_weather', 'search_web'])).effect, 'allow');
    assert.equal(ev.decide(call([])).effect, 'allow');
    const d = ev.decide(call(['get_weather', 'search']));
    assert.equal(d.effect, 'deny');
    assert.match(d.reason, /tool search is not declared for model m1 in app agent v3 \(spec\.models\[\]\.tools\)/);
    // A pattern is not a regular expression: `.` and other characters match themselves only.
    assert.equal(ev.decide(call(['get.weather'])).effect, 'deny');
  });

  it('CEL: request.tools and request.toolCount drive deny and require_approval', () => {
    const ev = evaluator(
      policy('ok', 'effect: allow'),
      policy('no-bulk-tools', 'condition: request.toolCount > 1\neffect: require_approval\nmessage: many tools'),
      policy(
        'no-payroll',
        'condition: \'"search_payroll" in request.tools\'\neffect: deny\nmessage: payroll search is off',
      ),
    );
    assert.equal(ev.decide(call(['get_weather'])).effect, 'allow');
    const two = ev.decide(call(['get_weather', 'search_web']));
    assert.equal(two.effect, 'require_approval');
    const payroll = ev.decide(call(['search_payroll']));
    assert.equal(payroll.effect, 'deny');
    assert.equal(payroll.reason, 'payroll search is off');
  });
});
