// The leaf every feature's CLI file imports: the registration signature and the shared command-group helper.
import type { Command } from 'commander';
import type { CliContext } from './cli-context.js';

/** A feature's CLI entry: adds its commands (and their options) to the program. */
export type CommandRegistration = (program: Command, cli: CliContext) => void;

/** Finds or creates a command group (`app`, `policy` ...) so several features can add subcommands to it. */
export function commandGroup(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}
