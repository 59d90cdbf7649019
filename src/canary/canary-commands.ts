// CLI: `gatehouse canary start|status|promote|abort <app>` and `gatehouse dataset obfuscate <dataset>`.
import type { Command } from 'commander';
import { parse } from 'yaml';
import { commandGroup } from '../cli/command-group.js';
import { readInputFile, type CliContext } from '../cli/cli-context.js';
import { InvalidInputError } from '../core/errors.js';
import type { CanaryStatus } from './canary-service.js';

const path = (app: string) => `/api/v1/apps/${encodeURIComponent(app)}/canary`;

/** The human view of a canary: state, stage, then each verdict with the metrics that decided it. */
export function formatCanary(s: CanaryStatus): string {
  const c = s.canary;
  const stages = c.policy.spec.stages;
  const stage = stages[c.stage];
  const lines = [
    `canary ${c.id}  ${c.app} v${c.candidate} against v${c.baseline}: ${c.state}`,
    `stage ${c.stage + 1}/${stages.length} (${stage.traffic > 0 ? `${stage.traffic}% live for ${stage.duration}` : `replay of ${stage.replay} inputs`})` +
      (c.endReason ? `\nended: ${c.endReason}` : '') +
      (c.snapshotId ? `\nforensic snapshot: ${c.snapshotId}` : ''),
  ];
  for (const v of s.verdicts) {
    const a = v.analysis;
    lines.push(
      '',
      `stage ${v.stage + 1} verdict: ${v.verdict.toUpperCase()} (${a.samples.candidate} candidate, ${a.samples.baseline} baseline runs)`,
    );
    lines.push('  metric                      baseline     candidate    threshold        test               p');
    for (const m of a.metrics)
      lines.push(
        `  ${m.metric.padEnd(27)} ${String(m.baseline).padEnd(12)} ${String(m.candidate).padEnd(12)} ${m.threshold.padEnd(16)} ${m.test.padEnd(18)} ${m.p}${m.verdict === 'pass' ? '' : `  ${m.verdict.toUpperCase()}`}`,
      );
  }
  return lines.join('\n');
}

export function registerCanaryCommands(program: Command, cli: CliContext): void {
  const canary = commandGroup(
    program,
    'canary',
    'canary releases: replay on obfuscated data, live stages, analysis gate',
  );
  canary
    .command('start <app>')
    .description('start a canary of an approved version against the version in force')
    .option('--version <n>', 'which version (default: the newest approved above the one in force)')
    .option('--policy <file>', 'a CanaryPolicy document (YAML or JSON); default: replay 200, 5% for 30m, 25% for 1h')
    .action(async (app: string, opts: { version?: string; policy?: string }) => {
      const version = opts.version === undefined ? undefined : Number(opts.version);
      if (version !== undefined && (!Number.isInteger(version) || version < 1))
        throw new InvalidInputError(`--version must be a version number, got '${opts.version}'.`, [
          { path: '--version', message: 'a positive integer' },
        ]);
      const policy = opts.policy === undefined ? undefined : (parse(readInputFile(opts.policy)) as unknown);
      const s = await cli.api().request<CanaryStatus>('POST', path(app), { version, policy });
      cli.print(s, () => formatCanary(s));
    });
  canary
    .command('status <app>')
    .description("the app's latest canary, its stage and verdicts with numbers and statistics")
    .action(async (app: string) => {
      const s = await cli.api().request<CanaryStatus>('GET', path(app));
      cli.print(s, () => formatCanary(s));
    });
  for (const [verb, what] of [
    ['promote', 'release the candidate now (skips the remaining stages)'],
    ['abort', 'stop the canary: forensic snapshot, candidate rolled back, owner notified'],
  ] as const)
    canary
      .command(`${verb} <app>`)
      .description(what)
      .option('--reason <text>', 'why (recorded in the audit log)', 'manual')
      .action(async (app: string, opts: { reason: string }) => {
        const s = await cli.api().request<CanaryStatus>('POST', `${path(app)}/${verb}`, { reason: opts.reason });
        cli.print(s, () => formatCanary(s));
      });
  commandGroup(program, 'dataset', 'datasets: obfuscated copies')
    .command('obfuscate <dataset>')
    .description(
      "write an obfuscated copy of a dataset's table under GATEHOUSE_HOME (the fake mapping is never stored)",
    )
    .action(async (dataset: string) => {
      const r = await cli
        .api()
        .request<{ path: string; rows: number; columns: string[]; copyId: string }>(
          'POST',
          `/api/v1/datasets/${encodeURIComponent(dataset)}/obfuscate`,
        );
      cli.print(
        r,
        () => `${r.copyId}: ${r.rows} rows → ${r.path}\nobfuscated: ${r.columns.join(', ') || '(no tagged columns)'}`,
      );
    });
}
