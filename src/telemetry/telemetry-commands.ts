// CLI: `gatehouse alerts apply <file|dir>`, `gatehouse alerts list`, `gatehouse alerts history [--app]`.
import type { Command } from 'commander';
import { commandGroup } from '../cli/command-group.js';
import { readInputFile, type CliContext } from '../cli/cli-context.js';
import { yamlFiles } from '../catalog/catalog-commands.js';
import type { AlertFiring } from './alert-engine.js';
import type { AlertRuleDoc } from './alert-rule-schema.js';

const iso = (t: number | undefined): string => (t === undefined ? '-' : new Date(t).toISOString());

export function formatFiring(f: AlertFiring): string {
  const acts = f.actions
    .map((a) => `${a.type}${a.ok ? '' : ' FAILED'}${a.containMs !== undefined ? ` (${a.containMs} ms)` : ''}`)
    .join(' → ');
  return `${iso(f.firedAt)}  ${f.rule}  ${f.groupBy} '${f.groupKey}'  ${f.summary}\n    actions: ${acts || 'none'}; time to contain: ${f.containMs === undefined ? 'n/a' : `${f.containMs} ms`} (reaction ${f.reactionMs ?? '-'} ms); ${f.events.length} events; audit #${f.auditIndex ?? '-'}; ${f.id}`;
}

export function registerTelemetryCommands(program: Command, cli: CliContext): void {
  const alerts = commandGroup(program, 'alerts', 'alert rules over telemetry: threshold, anomaly, regression');
  alerts
    .command('apply <path>')
    .description('apply AlertRule YAML (a file or a folder; all documents or none)')
    .action(async (path: string) => {
      const files = yamlFiles(path).map((f) => ({ name: f, content: readInputFile(f) }));
      const r = await cli.api().request<{ applied: string[] }>('POST', '/api/v1/alerts/apply', { files });
      cli.print(r, () => r.applied.map((n) => `AlertRule/${n} applied`).join('\n'));
    });
  alerts
    .command('list')
    .description('list alert rules')
    .action(async () => {
      const r = await cli.api().request<{ rules: AlertRuleDoc[] }>('GET', '/api/v1/alerts');
      cli.print(
        r,
        () =>
          r.rules
            .map((d) => {
              const c = d.spec.condition;
              const cond =
                c.type === 'threshold'
                  ? `${c.metric} ${c.op} ${c.value} in ${c.window / 1000}s`
                  : c.type === 'anomaly'
                    ? `${c.metric} >= ${c.factor}x EWMA (min ${c.minVolume})`
                    : c.type === 'regression'
                      ? `${c.measure} >= ${c.factor}x previous version`
                      : `cost today >= ${c.value}% of the daily budget`;
              const acts = d.spec.actions.map((a) => Object.keys(a)[0]).join(' → ');
              return `${d.metadata.name.padEnd(28)} ${d.spec.enabled ? 'on ' : 'off'} ${[d.spec.match.kind].flat().join(',')} by ${d.spec.groupBy}: ${cond} → ${acts}`;
            })
            .join('\n') || '(no alert rules)',
      );
    });
  alerts
    .command('history')
    .description('list alert firings with their actions and time to contain')
    .option('--app <app>', 'only this app')
    .option('--rule <rule>', 'only this rule')
    .option('--limit <n>', 'at most n firings', '50')
    .action(async (opts: { app?: string; rule?: string; limit: string }) => {
      const q = new URLSearchParams({
        limit: opts.limit,
        ...(opts.app ? { app: opts.app } : {}),
        ...(opts.rule ? { rule: opts.rule } : {}),
      });
      const r = await cli.api().request<{ firings: AlertFiring[] }>('GET', `/api/v1/alerts/history?${q}`);
      cli.print(
        r,
        () =>
          r.firings.map(formatFiring).join('\n') ||
          '(no firings yet: `gatehouse demo incidents --standalone` plays both example rules end to end, or see docs/telemetry.md)',
      );
    });
}
