// The shipped example bundle passes its own tests; a wrong expectation fails with a diff.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileBundle } from './compiler.js';
import { readPolicyDir } from './policy-files.js';
import { formatTestReport, runPolicyTests } from './test-runner.js';

const here = fileURLToPath(import.meta.url);
const root = here.includes('/dist/') ? here.split('/dist/')[0] : resolve(dirname(here), '../..');
const EXAMPLES = resolve(root, 'examples/policies');

describe('policy test runner', () => {
  it('passes every test of the example bundle, including the two design-brief policies', () => {
    const bundle = compileBundle(readPolicyDir(EXAMPLES));
    const names = bundle.policies.map((p) => p.name);
    assert.ok(names.includes('deny_unapproved_connector') && names.includes('limit_model_tokens'));
    const results = runPolicyTests(bundle);
    assert.ok(results.length >= 10);
    assert.deepEqual(
      results.filter((r) => !r.passed).map((r) => `${r.name}: ${r.diff}`),
      [],
    );
  });

  it('fails a wrong expectation and shows expected vs actual', () => {
    const content = `apiVersion: gatehouse/v1
kind: Policy
metadata: { name: cap }
spec:
  effect: limit
  parameters: { maxInputTokens: 10 }
---
apiVersion: gatehouse/v1
kind: PolicyTest
metadata: { name: wrong }
spec:
  input: { action: model.invoke, subject: { user: a }, resource: { type: model, id: m } }
  expect: { effect: deny, obligations: { maxInputTokens: 20 } }
`;
    const [r] = runPolicyTests(compileBundle([{ path: 't.yaml', content }]));
    assert.equal(r.passed, false);
    assert.match(r.diff ?? '', /\+\s+effect: 'allow'/);
    assert.match(r.diff ?? '', /-\s+effect: 'deny'/);
    assert.match(r.diff ?? '', /-\s+maxInputTokens: 20/);
    assert.match(formatTestReport([r]), /FAIL {2}wrong {2}\(t.yaml\)[\s\S]*0 passed, 1 failed/);
  });
});
