// CLI: `gatehouse app release <app>` (canary or full release of an approved version).
import type { Command } from 'commander';
import { InvalidInputError } from '../core/errors.js';
import { commandGroup } from '../cli/command-group.js';
import type { CliContext } from '../cli/cli-context.js';
import type { ReleaseResult } from './release.js';

export function registerReleaseCommands(program: Command, cli: CliContext): void {
  commandGroup(program, 'app', 'micro-apps: submit, inspect, run, roll back')
    .command('release <app>')
    .description('put an approved version in force (the one it replaces retires); --canary to start a canary first')
    .option('--version <n>', 'which version (default: the newest approved)')
    .option('--canary', 'move it to canary instead of released')
    .option('--reason <text>', 'why (recorded in the audit log)', 'release')
    .action(async (app: string, opts: { version?: string; canary?: boolean; reason: string }) => {
      const version = opts.version === undefined ? undefined : Number(opts.version);
      if (version !== undefined && (!Number.isInteger(version) || version < 1))
        throw new InvalidInputError(`--version must be a version number, got '${opts.version}'.`, [
          { path: '--version', message: 'a positive integer' },
        ]);
      const r = await cli.api().request<ReleaseResult>('POST', `/api/v1/apps/${encodeURIComponent(app)}/release`, {
        version,
        canary: Boolean(opts.canary),
        reason: opts.reason,
      });
      cli.print(
        r,
        () => `${r.app} v${r.version} is ${r.state}${r.retired.length ? `; retired v${r.retired.join(', v')}` : ''}`,
      );
    });
}
