// `gatehouse serve`: starts the platform on its embedded defaults (or the configured store).
import type { Command } from 'commander';
import { InvalidInputError } from '../core/errors.js';
import type { CliContext } from './cli-context.js';

export function registerServeCommand(program: Command, cli: CliContext): void {
  program
    .command('serve')
    .description('start the Gatehouse server (state in GATEHOUSE_HOME, default ./.gatehouse)')
    .option('--host <host>', 'address to listen on', undefined)
    .option('--port <port>', 'port to listen on (0 = any free port)', undefined)
    .action(async (opts: { host?: string; port?: string }) => {
      const port = opts.port === undefined ? undefined : Number(opts.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
        throw new InvalidInputError(`--port must be a whole number from 0 to 65535, got '${opts.port}'.`);
      }
      const { loadConfig } = await import('../feature-registry.js');
      const config = loadConfig({ env: cli.env, overrides: { host: opts.host, port } });
      // Loaded here so other commands never pay for the whole server's modules.
      const { createGatehouse } = await import('../main.js');
      const gh = await createGatehouse(config);
      const server = await gh.listen();
      cli.io.out(`Gatehouse listening on ${server.url} (store: ${gh.db.description})`);
      const stop = async () => {
        await gh.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
