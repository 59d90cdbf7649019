// CLI: `gatehouse app run <app> [--input json|@file] [--user u] [--version n]` and `gatehouse sandbox tiers`.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context.js';
import { commandGroup } from '../cli/command-group.js';
import { InvalidInputError } from '../core/errors.js';
import type { RunOutcome } from './app-runner.js';

export function parseRunInput(raw: string | undefined): unknown {
  if (raw === undefined) return null;
  let text = raw;
  if (raw.startsWith('@')) {
    try {
      text = readFileSync(raw.slice(1), 'utf8');
    } catch (err) {
      throw new InvalidInputError(
        `--input ${raw}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        [{ path: '--input', message: 'give JSON or @path/to/file.json' }],
      );
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidInputError(`--input is not valid JSON: ${text.slice(0, 80)}`, [
      { path: '--input', message: 'give JSON such as \'{"message":"hi"}\' or @file.json' },
    ]);
  }
}

export function registerSandboxCommands(program: Command, cli: CliContext): void {
  const app = commandGroup(program, 'app', 'micro-apps: submit, inspect, run, roll back');
  app
    .command('run <app>')
    .description("run an app's version in force in its sandbox tier and print its output")
    .option('--input <json|@file>', 'input for main(input, ctx), as JSON or @file.json')
    .option('--user <user>', 'run as this user (admins only; default: you)')
    .option('--version <n>', 'run this version instead of the one in force')
    .action(async (name: string, opts: { input?: string; user?: string; version?: string }) => {
      const version = opts.version === undefined ? undefined : Number(opts.version);
      if (version !== undefined && (!Number.isInteger(version) || version < 1))
        throw new InvalidInputError(`--version must be a version number, got '${opts.version}'`);
      const r = await cli.api().request<RunOutcome>('POST', `/api/v1/apps/${encodeURIComponent(name)}/runs`, {
        input: parseRunInput(opts.input),
        user: opts.user,
        version,
      });
      cli.print(r, () =>
        [
          JSON.stringify(r.output, null, 2),
          `run:     ${r.runId} (${r.app} v${r.version}, ${r.tier} tier)`,
          `usage:   cpu ${r.usage.cpuMs} ms, wall ${r.usage.wallMs} ms, peak memory ${Math.round(r.usage.peakMemoryBytes / 1024)} KiB, ${r.usage.capabilityCalls} capability calls (${r.usage.denied} denied), cost $${r.usage.costUsd.toFixed(6)}`,
        ].join('\n'),
      );
    });
  const sandbox = commandGroup(program, 'sandbox', 'sandbox tiers on this host');
  sandbox
    .command('tiers')
    .description('show which sandbox tiers work on this host, and why not')
    .action(async () => {
      const r = await cli
        .api()
        .request<{ tiers: Record<string, { ok: boolean; reason?: string }> }>('GET', '/api/v1/sandbox/tiers');
      cli.print(r, () =>
        Object.entries(r.tiers)
          .map(([n, t]) => `${n.padEnd(10)} ${t.ok ? 'available' : 'unavailable'}${t.reason ? `: ${t.reason}` : ''}`)
          .join('\n'),
      );
    });
}
