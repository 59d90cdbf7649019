// Admission figures: time of the automated checks per submitted version (static analysis + DLP scan of prompts and
// literals + risk scoring) against a baseline measured in the same run (parsing the same files only), and a full
// admit (checks + approval row + lifecycle) on a SQLite file. Size: ADMISSION_BENCH_LINES helper lines (default 400).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import ts from 'typescript';
import { ManualClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { repoPath } from '../src/core/repo-root.js';
import { createDlpEngine } from '../src/dlp/index.js';
import { testDatabases } from '../src/testing/databases.js';
import { analyzeCode } from '../src/admission/static-analysis.js';
import { scanForPii } from '../src/admission/pii-scan.js';
import { scoreRisk } from '../src/admission/risk.js';
import { AdmissionService } from '../src/admission/admission-service.js';
import {
  fakeGovernor,
  manifest,
  MemoryAudit,
  MemoryStates,
  testCatalog,
  version,
} from '../src/admission/testing/fixtures.js';
import { approvalMigrations } from '../src/approvals/approval-migrations.js';
import { defaultApprovalsConfig } from '../src/approvals/approvals-config.js';
import { ApprovalService } from '../src/approvals/approval-service.js';
import { Lifecycle } from '../src/apps/lifecycle.js';
import { nullNotifier } from '../src/notify/webhook-notifier.js';

const lines = Number(process.env.ADMISSION_BENCH_LINES ?? 400);
const say = (s: string) => process.stdout.write(s + '\n');
const helper = Array.from(
  { length: lines },
  (_, i) =>
    `export function step${i}(x) { const label = 'step ${i} of the pipeline'; return x.map((r) => ({ ...r, n${i}: r.n + ${i} })); }`,
).join('\n');
const code = {
  'main.js': readFileSync(repoPath('templates', 'data-explorer', 'main.js'), 'utf8').replace(
    'export default',
    "import { step0 } from './helpers.js';\nexport default",
  ),
  'helpers.js': helper,
};
const m = manifest({
  spec: {
    runtime: { tier: 'wasm', entrypoint: 'main.js', files: ['helpers.js'] },
    prompts: [{ name: 'system', template: 'Answer using only these articles and cite their ids: {{articles}}' }],
  },
});
const catalog = testCatalog();
const dlp = createDlpEngine({});

/** Median of 7 rounds (the machine is shared, so single rounds are noisy). */
function time(label: string, n: number, fn: () => void): number {
  for (let i = 0; i < Math.min(20, n); i++) fn();
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    rounds.push((performance.now() - t0) / n);
  }
  const ms = rounds.sort((a, b) => a - b)[3];
  say(`${label.padEnd(58)} ${ms.toFixed(3).padStart(8)} ms/version (median of 7 rounds)`);
  return ms;
}

const n = 30;
say(`admission bench: ${lines + 20} lines of JavaScript in 2 files, 7 rounds of ${n} runs each`);
const base = time('baseline: parse both files (TypeScript parser) only', n, () => {
  for (const [f, t] of Object.entries(code)) ts.createSourceFile(f, t, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
});
const stat = time('static analysis (parse, walk, syntax diagnostics)', n, () =>
  analyzeCode({ manifest: m, code, catalog }),
);
const pii = time('PII scan of prompts, manifest text and literals (DLP)', n, () => scanForPii(m, code, dlp));
const all = time('all checks + risk score', n, () => {
  const f = [...analyzeCode({ manifest: m, code, catalog }), ...scanForPii(m, code, dlp)];
  scoreRisk(m, catalog, f, { effect: 'allow', reason: '', warnings: [] }, defaultApprovalsConfig);
});
say(`checks cost ${(all / base).toFixed(1)}x the bare parse (static ${stat.toFixed(2)} ms, PII ${pii.toFixed(2)} ms)`);

const { db, cleanup, home } = await testDatabases[0].open(approvalMigrations);
try {
  const states = new MemoryStates();
  const audit = new MemoryAudit();
  const approvals = new ApprovalService({
    db,
    clock: new ManualClock(),
    audit,
    notifier: nullNotifier,
    lifecycle: new Lifecycle(states, audit),
    config: defaultApprovalsConfig,
    logger: silentLogger,
  });
  const admission = new AdmissionService({
    governor: fakeGovernor('allow'),
    catalog,
    pii: dlp,
    approvals,
    apps: {
      getVersion: async () => undefined,
      latestVersion: async () => undefined,
      inForce: async () => undefined,
      listVersions: async () => [],
    },
    config: defaultApprovalsConfig,
  });
  const runs = 100;
  const t0 = performance.now();
  for (let v = 1; v <= runs; v++) {
    states.put('helper', v, 'draft');
    await admission.admit(version(m, code, v), { user: 'carol', roles: ['creator'], groups: [] });
  }
  say(
    `${'full admit on SQLite (checks + approval row + lifecycle)'.padEnd(58)} ${((performance.now() - t0) / runs).toFixed(3).padStart(8)} ms/version (${runs} versions, ${join(home, 'gatehouse.db')})`,
  );
} finally {
  await cleanup();
  rmSync(home, { recursive: true, force: true });
}
