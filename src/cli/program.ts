// Builds the `gatehouse` command tree; each feature adds its commands through a register function.
import { Command, CommanderError } from 'commander';
import { GatehouseError, exitCodeFor } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { createCliContext, type CliIo } from './cli-context.js';
import { commandRegistrations } from './commands.js';

function formatError(err: GatehouseError): string {
  const lines = [`error: ${err.message}`];
  for (const d of err.details.slice(1, 20)) lines.push(`  ${d.path ? `${d.path}: ` : ''}${d.message}`);
  return lines.join('\n');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code; never throws. */
export async function runCli(argv: string[], io: CliIo, env: Record<string, string | undefined>): Promise<number> {
  const program = new Command('gatehouse');
  let json = false;
  program
    .description('Gatehouse: governance for LLM-powered micro-apps')
    .option('--json', 'machine-readable JSON output')
    .version(VERSION, '-V, --version', 'print the Gatehouse version')
    // Program options only before the subcommand, so a subcommand's own --version <n> (app release, canary start)
    // is its option and not the program's version flag.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .hook('preAction', (_this, action) => {
      json = Boolean(action.optsWithGlobals().json);
    });
  const cli = createCliContext(io, env, () => json);
  for (const register of commandRegistrations) register(program, cli);
  // Every subcommand accepts --json too, wherever it is written.
  const addJson = (cmd: Command) => {
    for (const sub of cmd.commands) {
      if (!sub.options.some((o) => o.long === '--json')) sub.option('--json', 'machine-readable JSON output');
      sub.exitOverride();
      addJson(sub);
    }
  };
  addJson(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    // Commands fail by throwing; process.exitCode is not theirs to read (a test runner sets it after a failure).
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return 0;
      return 2;
    }
    if (err instanceof GatehouseError) {
      if (json) io.out(JSON.stringify(err.toJSON(), null, 2));
      else io.err(formatError(err));
      return exitCodeFor(err);
    }
    io.err(`error: ${(err as Error)?.message ?? String(err)}`);
    return 1;
  }
}
