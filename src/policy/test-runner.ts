// Runs a bundle's PolicyTest fixtures against its policies (like `opa test`): per-test pass/fail and a diff on failure.
import { AssertionError, deepStrictEqual } from 'node:assert/strict';
import { DLP_MODE_LIMITS, parseDlpMode } from '../core/dlp-mode-limit.js';
import type { Decision } from '../core/governance.js';
import type { CompiledBundle, PolicyTestCase } from './compiler.js';
import { PolicyEvaluator } from './evaluator.js';
import { asGovernanceRequest } from './policy-schema.js';

export interface PolicyTestResult {
  name: string;
  file: string;
  passed: boolean;
  /** Expected vs actual, only the fields the test names; set when the test failed. */
  diff?: string;
  decision: Decision;
}

/** What of the decision the test looks at, shaped like the expectation so a failing comparison diffs field by field. */
function observed(t: PolicyTestCase, d: Decision): Record<string, unknown> {
  const e = t.doc.spec.expect;
  const out: Record<string, unknown> = { effect: d.effect };
  if (e.obligations)
    out.obligations = Object.fromEntries(Object.keys(e.obligations).map((k) => [k, d.obligations[k] ?? null]));
  if (e.warnings) {
    // Each expected text must appear in some warning; report the warning that contains it, or the actual list.
    out.warnings =
      e.warnings.length === 0
        ? d.warnings
        : e.warnings.map((w) => (d.warnings.some((x) => x.includes(w)) ? w : d.warnings));
  }
  if (e.matched) {
    const names = d.matched.map((m) => m.policy);
    out.matched = e.matched.map((m) => (names.includes(m) ? m : names));
  }
  if (e.reason !== undefined) out.reason = d.reason.includes(e.reason) ? e.reason : d.reason;
  return out;
}

/** A test may expect a DLP mode in either form (`block` or `[block]`); decisions carry the plain string. */
function normalizeDlpModes(obligations: Record<string, unknown> | undefined): void {
  for (const key of DLP_MODE_LIMITS) {
    const r = obligations?.[key] == null ? undefined : parseDlpMode(obligations[key]);
    if (obligations && r && 'mode' in r) obligations[key] = r.mode;
  }
}

export function runPolicyTests(bundle: CompiledBundle, now: () => number = Date.now): PolicyTestResult[] {
  const evaluator = new PolicyEvaluator(bundle, { now });
  return bundle.tests.map((t) => {
    const decision = evaluator.decide(asGovernanceRequest(t.doc.spec.input));
    const expected = JSON.parse(JSON.stringify(t.doc.spec.expect)) as Record<string, unknown>;
    normalizeDlpModes(expected.obligations as Record<string, unknown> | undefined);
    try {
      deepStrictEqual(observed(t, decision), expected);
      return { name: t.doc.metadata.name, file: t.file, passed: true, decision };
    } catch (err) {
      if (!(err instanceof AssertionError)) throw err;
      const diff = err.message.split('\n').slice(1).join('\n').trim();
      return { name: t.doc.metadata.name, file: t.file, passed: false, diff, decision };
    }
  });
}

/** Human report: one line per test, the diff and the decision's reason under failures, a summary line. */
export function formatTestReport(results: PolicyTestResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.passed ? 'PASS' : 'FAIL'}  ${r.name}  (${r.file})`);
    if (!r.passed) {
      lines.push(...(r.diff ?? '').split('\n').map((l) => `      ${l}`));
      lines.push(`      reason: ${r.decision.reason}`);
    }
  }
  const failed = results.filter((r) => !r.passed).length;
  lines.push('', `${results.length - failed} passed, ${failed} failed, ${results.length} total`);
  return lines.join('\n');
}
