// Compiler and evaluator: type errors with positions, cost bounds, combining, limits, fail closed, deny by default.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GovernanceRequest } from '../core/governance.js';
import { InvalidInputError } from '../core/errors.js';
import { compileBundle } from './compiler.js';
import { PolicyEvaluator } from './evaluator.js';
import { egressAllowed } from './scope.js';

function policy(name: string, spec: string): string {
  return `apiVersion: gatehouse/v1\nkind: Policy\nmetadata:\n  name: ${name}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
}

function evaluator(...docs: string[]): PolicyEvaluator {
  return new PolicyEvaluator(compileBundle([{ path: 'p.yaml', content: docs.join('---\n') }]), { now: () => 1000 });
}

const app = {
  name: 'bot',
  version: 2,
  owner: 'alice',
  environment: 'prod' as const,
  region: 'eu',
  state: 'released',
  models: ['m1'],
  datasets: ['d1'],
  connectors: ['c1'],
  egress: ['api.example.com', '*.corp.example'],
  spec: {},
};

function req(over: Partial<GovernanceRequest> = {}): GovernanceRequest {
  return {
    action: 'model.invoke',
    subject: { user: 'alice', roles: ['creator'], groups: [], app: 'bot' },
    resource: { type: 'model', id: 'm1', attributes: {} },
    request: {},
    app,
    ...over,
  };
}

function compileError(content: string): InvalidInputError {
  try {
    compileBundle([{ path: 'bad.yaml', content }]);
  } catch (err) {
    assert.ok(err instanceof InvalidInputError);
    return err;
  }
  assert.fail('expected the bundle to be rejected');
}

describe('policy compiler', () => {
  it('rejects a typo in a condition with file, line, column and policy name', () => {
    const err = compileError(
      policy('typo', 'condition: |\n  request.inputTokens > 10 &&\n    resource.sensitiv\neffect: deny'),
    );
    assert.equal(err.details[0].path, 'bad.yaml:8:16');
    assert.match(err.details[0].message, /policy typo: condition does not type-check: No such key: sensitiv/);
  });

  it('rejects comparing a string field with a number at load time', () => {
    const err = compileError(policy('types', 'condition: resource.classification > 3\neffect: deny'));
    assert.match(err.details[0].message, /no such overload/);
  });

  it('rejects expensive conditions and says which bound they exceed', () => {
    const nested = compileError(
      policy('nest', 'condition: "[1].all(x, [2].all(y, [3].exists(z, z > y)))"\neffect: deny'),
    );
    assert.match(nested.details[0].message, /too expensive: 3 nested comprehensions \(limit 2\)/);
    const big = compileError(
      policy(
        'big',
        `condition: '${Array.from({ length: 150 }, (_, i) => `request.inputTokens > ${i}`).join(' || ')}'\neffect: deny`,
      ),
    );
    assert.match(big.details[0].message, /too expensive: .*AST nodes|too expensive/);
  });

  it('rejects duplicate names, unknown kinds and bad template placeholders', () => {
    const dup = compileError(policy('a', 'effect: deny') + '---\n' + policy('a', 'effect: allow'));
    assert.match(dup.details[0].message, /defined twice/);
    const kind = compileError('apiVersion: gatehouse/v1\nkind: Polcy\n');
    assert.match(kind.details[0].message, /kind must be Policy or PolicyTest/);
    const tpl = compileError(policy('t', 'effect: deny\nmessage: "{{secret.value}}"'));
    assert.match(tpl.details[0].message, /placeholder \{\{secret.value\}\}/);
  });

  it('names revisions by content, not formatting', () => {
    const a = compileBundle([{ path: 'a.yaml', content: policy('x', 'effect: deny\nmatch: { actions: [a] }') }]);
    const b = compileBundle([{ path: 'b.yaml', content: policy('x', 'match:\n  actions:\n    - a\neffect: deny') }]);
    const c = compileBundle([{ path: 'a.yaml', content: policy('x', 'effect: allow\nmatch: { actions: [a] }') }]);
    assert.equal(a.revision, b.revision);
    assert.notEqual(a.revision, c.revision);
  });
});

describe('policy evaluator', () => {
  it('combines deny > require_approval > allow and renders the message', () => {
    const ev = evaluator(
      policy('appr', 'effect: require_approval\nmessage: needs approval'),
      policy(
        'den',
        'condition: request.inputTokens > 100\neffect: deny\nmessage: "{{resource.id}} too big for {{subject.user}}"',
      ),
      policy('ok', 'effect: allow'),
    );
    assert.equal(ev.decide(req({ request: { inputTokens: 10 } })).effect, 'require_approval');
    const d = ev.decide(req({ request: { inputTokens: 500 } }));
    assert.equal(d.effect, 'deny');
    assert.equal(d.reason, 'm1 too big for alice');
    assert.deepEqual(d.matched.map((m) => m.policy).sort(), ['appr', 'den', 'ok']);
    assert.equal(d.bundleRevision, ev.revision);
    assert.match(d.id, /^dec_/);
  });

  it('merges limits to the most restrictive value and denies requests over them', () => {
    const ev = evaluator(
      policy('l1', 'effect: limit\nparameters: { maxInputTokens: 1024, maxCostUsd: 5, models: [a, b], redact: false }'),
      policy('l2', 'effect: limit\nparameters: { maxInputTokens: 512, rowLimit: 10, models: [b, c], redact: true }'),
    );
    const d = ev.decide(req({ request: { inputTokens: 100 } }));
    assert.equal(d.effect, 'allow');
    assert.deepEqual(d.obligations, { maxInputTokens: 512, maxCostUsd: 5, models: ['b'], redact: true, rowLimit: 10 });
    const over = ev.decide(req({ request: { inputTokens: 600 } }));
    assert.equal(over.effect, 'deny');
    assert.match(over.reason, /request.inputTokens 600 exceeds maxInputTokens 512 set by policy l2/);
  });

  it('fails closed on a missing attribute for enforcing policies and only warns for advisory ones', () => {
    const enforce = evaluator(policy('needs', 'condition: resource.sensitive\neffect: deny'));
    const d = enforce.decide(req());
    assert.equal(d.effect, 'deny');
    assert.match(d.errors[0], /policy needs: condition could not be evaluated: No such key: sensitive/);
    assert.equal(d.matched[0].error !== undefined, true);
    const advisory = evaluator(policy('needs', 'condition: resource.sensitive\neffect: deny\nmode: advisory'));
    const a = advisory.decide(req());
    assert.equal(a.effect, 'allow');
    assert.equal(a.errors.length, 1);
    assert.match(a.warnings[0], /advisory, ignored/);
  });

  it('fails closed when a typed field has the wrong runtime type', () => {
    const ev = evaluator(policy('tok', 'condition: request.inputTokens > 10\neffect: warn'));
    assert.equal(ev.decide(req({ request: { inputTokens: 'lots' } })).effect, 'deny');
    assert.equal(ev.decide(req({ request: { inputTokens: 10.5 } })).effect, 'deny');
  });

  it('turns advisory denies and warn effects into warnings', () => {
    const ev = evaluator(
      policy('adv', 'effect: deny\nmode: advisory\nmessage: would block'),
      policy('w', 'effect: warn\nmessage: careful'),
    );
    const d = ev.decide(req());
    assert.equal(d.effect, 'allow');
    assert.deepEqual(d.warnings.sort(), ['careful', 'would block (advisory policy adv, would deny)']);
  });

  it('matches on action, resource type, environment and app', () => {
    const ev = evaluator(
      policy('act', 'match: { actions: [data.query] }\neffect: deny'),
      policy('typ', 'match: { resourceTypes: [dataset] }\neffect: deny'),
      policy('envdev', 'match: { environments: [dev] }\neffect: deny'),
      policy('otherapp', 'match: { apps: [other] }\neffect: deny'),
      policy('thisapp', 'match: { apps: [bot], actions: [model.invoke] }\neffect: warn\nmessage: seen'),
    );
    const d = ev.decide(req());
    assert.equal(d.effect, 'allow');
    assert.deepEqual(
      d.matched.map((m) => m.policy),
      ['thisapp'],
    );
    assert.equal(
      ev.candidates('model.invoke', 'model').some((p) => p.name === 'act'),
      false,
    );
  });

  it('lets a query read only datasets declared with read access', () => {
    const ev = evaluator(policy('ok', 'effect: allow'));
    const scoped = {
      ...app,
      datasets: ['kb', 'outbox'],
      spec: {
        data: [
          { dataset: 'kb', access: 'read' },
          { dataset: 'outbox', access: 'write' },
        ],
      },
    };
    const query = (id: string) =>
      ev.decide(req({ app: scoped, action: 'data.query', resource: { type: 'dataset', id, attributes: {} } }));
    assert.equal(query('kb').effect, 'allow');
    const w = query('outbox');
    assert.equal(w.effect, 'deny', 'a write-only declaration does not allow reading');
    assert.match(w.reason, /dataset outbox is not declared/);
  });

  it('denies by default what the manifest does not declare, before any policy', () => {
    const ev = evaluator(policy('ok', 'effect: allow'));
    assert.equal(ev.decide(req({ resource: { type: 'model', id: 'm2', attributes: {} } })).effect, 'deny');
    const ds = ev.decide(req({ action: 'data.query', resource: { type: 'dataset', id: 'secret-ds', attributes: {} } }));
    assert.equal(ds.effect, 'deny');
    assert.match(ds.reason, /dataset secret-ds is not declared in app bot v2 \(spec.data\)/);
    assert.equal(
      ev.decide(req({ action: 'connector.call', resource: { type: 'connector', id: 'c1', attributes: {} } })).effect,
      'allow',
    );
    assert.equal(
      ev.decide(req({ action: 'net.egress', resource: { type: 'host', id: 'evil.example.com', attributes: {} } }))
        .effect,
      'deny',
    );
    assert.equal(
      ev.decide(req({ app: undefined })).effect,
      'deny',
      'an app call without an app version in force is denied',
    );
    assert.equal(
      ev.decide(req({ app: undefined, subject: { user: 'ops', roles: ['admin'], groups: [] } })).effect,
      'allow',
    );
  });

  it('matches egress hosts exactly, by subdomain wildcard and by port', () => {
    const pats = ['api.example.com', '*.corp.example', 'db.internal:5432'];
    assert.equal(egressAllowed(pats, 'api.example.com'), true);
    assert.equal(egressAllowed(pats, 'api.example.com:443'), true);
    assert.equal(egressAllowed(pats, 'api.example.com:22'), false);
    assert.equal(egressAllowed(pats, 'api.example.com.evil.io'), false);
    assert.equal(egressAllowed(pats, 'x.corp.example'), true);
    assert.equal(egressAllowed(pats, 'corp.example'), false);
    assert.equal(egressAllowed(pats, 'evilcorp.example'), false);
    assert.equal(egressAllowed(pats, 'db.internal:5432'), true);
    assert.equal(egressAllowed(pats, 'db.internal'), false);
  });
});
