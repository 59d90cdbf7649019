// CLI: `gatehouse kill|unkill <scope> <id> --reason`, `gatehouse kills`, `gatehouse cap`, `gatehouse flag get|set`,
// `gatehouse app rollback <app> [--to N]`, `gatehouse snapshot list|show|export`.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidInputError } from '../core/errors.js';
import { commandGroup } from '../cli/command-group.js';
import type { CliContext } from '../cli/cli-context.js';
import type { CapRecord } from './caps.js';
import type { Flag } from './flags.js';
import type { KillRecord } from './kill-switches.js';
import type { RollbackRecord } from './rollback.js';
import type { Snapshot, SnapshotSummary } from './snapshots.js';

const iso = (t: number): string => new Date(t).toISOString();
const need = (v: string | undefined, flag: string): string => {
  if (!v || !v.trim())
    throw new InvalidInputError(`${flag} is required: say why.`, [{ path: flag, message: 'required' }]);
  return v;
};
const num = (v: string, flag: string, max = Number.MAX_SAFE_INTEGER): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > max)
    throw new InvalidInputError(`${flag} must be a number from 0 to ${max}, got '${v}'.`, [
      { path: flag, message: 'a number' },
    ]);
  return n;
};

export function registerRolloutCommands(program: Command, cli: CliContext): void {
  program
    .command('kill <scope> <id>')
    .description(
      'set a kill switch (scope: app, app_version <app>@<n>, connector, model, user); refuses new calls and cuts streams',
    )
    .requiredOption('--reason <text>', 'why (shown to refused callers and in the audit log)')
    .action(async (scope: string, id: string, opts: { reason: string }) => {
      const r = await cli
        .api()
        .request<{ kill: KillRecord; created: boolean; snapshotId?: string }>('POST', '/api/v1/kills', {
          scope,
          id,
          reason: need(opts.reason, '--reason'),
        });
      cli.print(
        r,
        () =>
          `${r.created ? 'killed' : 'already killed'}: ${r.kill.scope} '${r.kill.target}' (${r.kill.id}); snapshot ${r.snapshotId ?? '-'}`,
      );
    });
  program
    .command('unkill <scope> <id>')
    .description('approve lifting a kill switch (apps with pii/regulated data need two distinct approvers)')
    .requiredOption('--reason <text>', 'why it is safe again')
    .action(async (scope: string, id: string, opts: { reason: string }) => {
      const r = await cli
        .api()
        .request<{ lifted: boolean; approvals: string[]; needed: number; kill: KillRecord }>(
          'POST',
          '/api/v1/kills/lift',
          { scope, id, reason: need(opts.reason, '--reason') },
        );
      cli.print(r, () =>
        r.lifted
          ? `lifted: ${scope} '${id}' (approved by ${r.approvals.join(', ')})`
          : `approval recorded (${r.approvals.length}/${r.needed}: ${r.approvals.join(', ')}); another approver must confirm with \`gatehouse unkill ${scope} ${id} --reason ...\``,
      );
    });
  program
    .command('kills')
    .description('list kill switches in force')
    .action(async () => {
      const r = await cli.api().request<{ kills: KillRecord[] }>('GET', '/api/v1/kills');
      cli.print(
        r,
        () =>
          r.kills
            .map(
              (k) =>
                `${k.id}  ${k.scope.padEnd(11)} ${k.target.padEnd(24)} since ${iso(k.setAt)} by ${k.actor} (${k.source}): ${k.reason}`,
            )
            .join('\n') || '(no kill switches in force)',
      );
    });
  program
    .command('cap <scope> <id>')
    .description('set a temporary cap, e.g. --limit maxOutputTokens=256 --limit tokensPerMinute=2000 --fallback')
    .requiredOption('--reason <text>', 'why')
    .option('--limit <name=value...>', 'numeric limits')
    .option('--fallback', 'route model calls to the manifest fallback model')
    .option('--duration <d>', 'how long (e.g. 30m, 1h)', '1h')
    .action(
      async (
        scope: string,
        id: string,
        opts: { reason: string; limit?: string[]; fallback?: boolean; duration: string },
      ) => {
        const limits: Record<string, number> = {};
        for (const l of opts.limit ?? []) {
          const [k, v] = l.split('=');
          if (!k || v === undefined)
            throw new InvalidInputError(`--limit '${l}' must look like name=value, e.g. tokensPerMinute=2000.`);
          limits[k] = num(v, `--limit ${k}`);
        }
        const r = await cli.api().request<CapRecord>('POST', '/api/v1/caps', {
          scope,
          id,
          reason: need(opts.reason, '--reason'),
          limits,
          fallback: Boolean(opts.fallback),
          duration: opts.duration,
        });
        cli.print(
          r,
          () =>
            `capped: ${r.scope} '${r.target}' ${JSON.stringify(r.limits)}${r.fallback ? ' with fallback' : ''} until ${iso(r.expiresAt)} (${r.id})`,
        );
      },
    );
  const flag = commandGroup(program, 'flag', 'rollout flags per app and environment');
  flag
    .command('list [app]')
    .description('list flags')
    .action(async (app?: string) => {
      const r = await cli
        .api()
        .request<{ flags: Flag[] }>('GET', `/api/v1/flags${app ? `?app=${encodeURIComponent(app)}` : ''}`);
      cli.print(
        r,
        () =>
          r.flags
            .map(
              (f) =>
                `${f.app.padEnd(24)} ${f.environment.padEnd(8)} ${f.enabled ? 'on ' : 'off'} ${String(f.percentage).padStart(5)}%  groups: ${f.groups.join(', ') || '-'}  (${f.updatedBy}, ${iso(f.updatedAt)})`,
            )
            .join('\n') || '(no flags: every app is fully on)',
      );
    });
  flag
    .command('set <app> <environment>')
    .description('change a flag: --on/--off, --percent N (sticky per user), --groups a,b (always in)')
    .option('--on', 'enable')
    .option('--off', 'disable')
    .option('--percent <n>', 'ramp percentage 0..100')
    .option('--groups <list>', 'comma-separated allow-listed groups ("" clears)')
    .action(
      async (
        app: string,
        environment: string,
        opts: { on?: boolean; off?: boolean; percent?: string; groups?: string },
      ) => {
        if (opts.on && opts.off) throw new InvalidInputError('Use either --on or --off, not both.');
        const body = {
          ...(opts.on || opts.off ? { enabled: Boolean(opts.on) } : {}),
          ...(opts.percent !== undefined ? { percentage: num(opts.percent, '--percent', 100) } : {}),
          ...(opts.groups !== undefined
            ? {
                groups: opts.groups
                  .split(',')
                  .map((g) => g.trim())
                  .filter(Boolean),
              }
            : {}),
        };
        const f = await cli
          .api()
          .request<Flag>('PUT', `/api/v1/flags/${encodeURIComponent(app)}/${encodeURIComponent(environment)}`, body);
        cli.print(
          f,
          () =>
            `${f.app} ${f.environment}: ${f.enabled ? 'on' : 'off'} at ${f.percentage}% groups: ${f.groups.join(', ') || '-'}`,
        );
      },
    );
  commandGroup(program, 'app', 'micro-apps: submit, inspect, run, roll back')
    .command('rollback <app>')
    .description('make the last known-good version the one in force (snapshot first; audited)')
    .option('--to <version>', 'a specific earlier released version')
    .option('--reason <text>', 'why (recorded in the audit log)', 'manual rollback')
    .action(async (app: string, opts: { to?: string; reason: string }) => {
      const to = opts.to === undefined ? undefined : num(opts.to, '--to');
      const r = await cli.api().request<RollbackRecord>('POST', `/api/v1/apps/${encodeURIComponent(app)}/rollback`, {
        reason: need(opts.reason, '--reason'),
        ...(to !== undefined ? { to } : {}),
      });
      cli.print(
        r,
        () => `rolled back ${r.app}: v${r.fromVersion} → v${r.toVersion} (${r.id}); snapshot ${r.snapshotId}`,
      );
    });
  const snap = commandGroup(program, 'snapshot', 'forensic snapshots taken before kills and rollbacks');
  snap
    .command('list')
    .option('--app <app>', 'only this app')
    .description('list snapshots')
    .action(async (opts: { app?: string }) => {
      const r = await cli
        .api()
        .request<{ snapshots: SnapshotSummary[] }>(
          'GET',
          `/api/v1/snapshots${opts.app ? `?app=${encodeURIComponent(opts.app)}` : ''}`,
        );
      cli.print(
        r,
        () =>
          r.snapshots
            .map(
              (s) =>
                `${s.id}  ${iso(s.takenAt)}  ${s.app.padEnd(20)} sha256:${s.hash.slice(0, 16)}…  audit #${s.auditIndex ?? '-'}  ${s.reason}`,
            )
            .join('\n') || '(no snapshots)',
      );
    });
  snap
    .command('show <id>')
    .description('show a snapshot summary and whether its body still matches the audited hash')
    .action(async (id: string) => {
      const s = await cli
        .api()
        .request<Snapshot & { verified: boolean }>('GET', `/api/v1/snapshots/${encodeURIComponent(id)}`);
      const b = s.body as {
        manifest?: { version: number } | null;
        events?: unknown[];
        bundleRevision?: string | null;
        audit?: { checkpoint?: { size: number } | null; proofs?: unknown[] };
      };
      cli.print(s, () =>
        [
          `${s.id} (${s.app}) taken ${iso(s.takenAt)}: ${s.reason}`,
          `hash:     sha256:${s.hash} ${s.verified ? '(matches the audited hash)' : 'DOES NOT MATCH the audited hash'}; audit #${s.auditIndex ?? '-'}`,
          `manifest: ${b.manifest ? `version ${b.manifest.version}` : 'none'}; policy bundle: ${b.bundleRevision ?? '-'}`,
          `events:   ${b.events?.length ?? 0}; audit checkpoint size ${b.audit?.checkpoint?.size ?? '-'} with ${b.audit?.proofs?.length ?? 0} inclusion proofs`,
        ].join('\n'),
      );
    });
  snap
    .command('export <id>')
    .description('write the whole snapshot as JSON (to --out or stdout)')
    .option('--out <file>', 'output file')
    .action(async (id: string, opts: { out?: string }) => {
      const s = await cli.api().request<Snapshot>('GET', `/api/v1/snapshots/${encodeURIComponent(id)}`);
      const text = JSON.stringify(s, null, 2);
      if (opts.out) {
        writeFileSync(opts.out, text + '\n', { mode: 0o600 });
        cli.io.out(`wrote ${opts.out} (sha256:${s.hash})`);
      } else cli.io.out(text);
    });
}
