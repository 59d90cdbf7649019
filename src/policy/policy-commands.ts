// CLI: `gatehouse policy test|eval|apply|activate|list|simulate` and `gatehouse decisions list|show`.
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context.js';
import { readInputFile } from '../cli/cli-context.js';
import { commandGroup } from '../cli/command-group.js';
import { GatehouseError, InvalidInputError } from '../core/errors.js';
import type { Decision } from '../core/governance.js';
import type { LoggedDecision } from './decision-log.js';
import type { ApplyResult } from './policy-service.js';
import type { Activation, RevisionInfo } from './policy-store.js';
import type { SimulationReport } from './simulate.js';

/** The local policy tools, loaded on first use (CEL and zod cost more than the rest of the CLI's start). */
const local = () => import('./policy-local.js');

export function formatDecision(d: Decision): string {
  const lines = [`effect:   ${d.effect}`, `reason:   ${d.reason}`, `decision: ${d.id} (bundle ${d.bundleRevision})`];
  if (Object.keys(d.obligations).length)
    lines.push(
      `limits:   ${Object.entries(d.obligations)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : v}`)
        .join(' ')}`,
    );
  for (const m of d.matched)
    lines.push(`  matched ${m.policy} (${m.effect}${m.mode === 'advisory' ? ', advisory' : ''}): ${m.reason}`);
  for (const w of d.warnings) lines.push(`  warning: ${w}`);
  for (const e of d.errors) lines.push(`  error:   ${e}`);
  return lines.join('\n');
}

async function readRequest(path: string) {
  const { asGovernanceRequest, governanceRequestSchema, parseOrThrow } = await local();
  let json: unknown;
  try {
    json = JSON.parse(readInputFile(path));
  } catch (err) {
    if (err instanceof GatehouseError) throw err;
    throw new InvalidInputError(`${path} is not valid JSON: ${(err as Error).message}`, [
      { path, message: 'fix the JSON' },
    ]);
  }
  // Accept either the request itself or {input: request} (the API body shape).
  const raw = json !== null && typeof json === 'object' && 'input' in json ? (json as { input: unknown }).input : json;
  return asGovernanceRequest(parseOrThrow(governanceRequestSchema, raw, `GovernanceRequest in ${path}`));
}

export function registerPolicyCommands(program: Command, cli: CliContext): void {
  const policy = commandGroup(program, 'policy', 'policy-as-code: test, evaluate, apply, activate, simulate');
  policy
    .command('test <dir>')
    .description('run the PolicyTest fixtures in <dir> against its policies, locally (exit 1 if any fails)')
    .action(async (dir: string) => {
      const { compileBundle, formatTestReport, readPolicyDir, runPolicyTests } = await local();
      const results = runPolicyTests(compileBundle(readPolicyDir(dir)));
      cli.print(
        results.map(({ decision, ...r }) => ({ ...r, effect: decision.effect, reason: decision.reason })),
        () => formatTestReport(results),
      );
      const failed = results.filter((r) => !r.passed).length;
      if (results.length === 0) cli.io.err(`warning: no PolicyTest documents in ${dir}`);
      if (failed > 0)
        throw new GatehouseError('policy_tests_failed', 422, `${failed} of ${results.length} policy tests failed.`);
    });
  policy
    .command('eval')
    .description(
      "print the Decision for a GovernanceRequest JSON file (local with --bundle, else the server's active bundle)",
    )
    .requiredOption('--input <file>', 'GovernanceRequest JSON')
    .option('--bundle <dir>', 'evaluate against this policy directory instead of the server')
    .action(async (opts: { input: string; bundle?: string }) => {
      const input = await readRequest(opts.input);
      const { compileBundle, PolicyEvaluator, readPolicyDir } = await local();
      const d = opts.bundle
        ? new PolicyEvaluator(compileBundle(readPolicyDir(opts.bundle))).decide(input)
        : await cli.api().request<Decision>('POST', '/api/v1/policies/eval', { input });
      cli.print(d, () => formatDecision(d));
    });
  policy
    .command('apply <dir>')
    .description('validate, compile, test and activate the policies in <dir> as a new revision')
    .action(async (dir: string) => {
      const { compileBundle, readPolicyDir } = await local();
      const files = readPolicyDir(dir);
      compileBundle(files); // Local first: errors point at the user's files without a round trip.
      const r = await cli.api().request<ApplyResult>('POST', '/api/v1/policies', { files });
      cli.print(r, () =>
        r.activated
          ? `activated revision ${r.revision} (${r.policies} policies, ${r.tests} tests passed)${r.previous ? `; previous ${r.previous}` : ''}`
          : `revision ${r.revision} is already active; nothing changed`,
      );
    });
  policy
    .command('activate <revision>')
    .description('re-activate a stored revision (see `policy list`)')
    .action(async (revision: string) => {
      const a = await cli
        .api()
        .request<Activation>('POST', `/api/v1/policies/revisions/${encodeURIComponent(revision)}/activate`, {});
      cli.print(a, () => `activated revision ${a.revision}${a.previous ? ` (was ${a.previous})` : ''}`);
    });
  policy
    .command('list')
    .description('list stored revisions; * marks the active one')
    .action(async () => {
      const r = await cli.api().request<{ active: string; revisions: RevisionInfo[] }>('GET', '/api/v1/policies');
      cli.print(
        r,
        () =>
          r.revisions
            .map(
              (x) =>
                `${x.active ? '*' : ' '} ${x.revision}  ${new Date(x.createdAt).toISOString()}  ${String(x.policyCount).padStart(3)} policies  by ${x.createdBy}`,
            )
            .join('\n') || '(no revisions; apply one with `gatehouse policy apply <dir>`)',
      );
    });
  policy
    .command('simulate <dir>')
    .description('replay recorded decisions against the policies in <dir> and report what would change')
    .option('--since <when>', 'how far back to replay (30m, 24h, 7d, or a date)', '24h')
    .action(async (dir: string, opts: { since: string }) => {
      const { compileBundle, formatSimulation, readPolicyDir } = await local();
      const files = readPolicyDir(dir);
      compileBundle(files);
      const r = await cli
        .api()
        .request<SimulationReport>('POST', '/api/v1/policies/simulate', { files, since: opts.since });
      cli.print(r, () => formatSimulation(r));
    });

  const decisions = commandGroup(program, 'decisions', 'the decision log');
  decisions
    .command('list')
    .description('list logged decisions, newest first')
    .option('--app <app>')
    .option('--action <action>')
    .option('--user <user>')
    .option('--effect <effect>', 'allow, deny or require_approval')
    .option('--since <when>', 'e.g. 30m, 24h, 7d or a date')
    .option('--limit <n>', 'at most this many', '50')
    .action(async (opts: Record<string, string | undefined>) => {
      const q = new URLSearchParams(
        Object.entries(opts).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'json'),
      );
      const r = await cli.api().request<{ items: LoggedDecision[] }>('GET', `/api/v1/decisions?${q}`);
      cli.print(
        r,
        () =>
          r.items
            .map((d) =>
              `${new Date(d.time).toISOString()}  ${d.effect.padEnd(16)} ${(d.app ?? '-').padEnd(20)} ${d.action.padEnd(14)} ${d.resource.type}/${d.resource.id}  ${d.effect === 'allow' ? '' : d.reason}`.trimEnd(),
            )
            .join('\n') || '(no decisions)',
      );
    });
  decisions
    .command('show <id>')
    .description('one decision with its matched policies and masked input')
    .action(async (id: string) => {
      const d = await cli.api().request<LoggedDecision>('GET', `/api/v1/decisions/${encodeURIComponent(id)}`);
      cli.print(d, () => `${formatDecision(d)}\ninput:\n${JSON.stringify(d.input, null, 2)}`);
    });
}
