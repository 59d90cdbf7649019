// What the policy CLI runs on the user's machine (compile, evaluate, test, parse requests), loaded on first use
// so commands that do not need CEL and zod start fast.
export { compileBundle } from './compiler.js';
export { PolicyEvaluator } from './evaluator.js';
export { readPolicyDir } from './policy-files.js';
export { asGovernanceRequest, governanceRequestSchema } from './policy-schema.js';
export { formatSimulation } from './simulate.js';
export { formatTestReport, runPolicyTests } from './test-runner.js';
export { parseOrThrow } from '../core/validation.js';
