// CLI: `gatehouse demo upstream`: a local stand-in for OpenAI/Anthropic, so the gateway can be tried offline.
import type { Command } from 'commander';
import { InvalidInputError } from '../core/errors.js';
import { commandGroup } from '../cli/command-group.js';
import type { CliContext } from '../cli/cli-context.js';

export function registerDemoCommands(program: Command, cli: CliContext): void {
  commandGroup(program, 'demo', 'local helpers for trying Gatehouse without a paid model provider')
    .command('upstream')
    .description('serve a fake OpenAI/Anthropic-compatible provider on 127.0.0.1 (echoes the prompt, or --reply)')
    .option('--port <port>', 'port to listen on', '9090')
    .option('--key <key>', 'provider key it requires', 'sk-demo')
    .option('--reply <text>', 'answer every request with this text instead of echoing')
    .action(async (opts: { port: string; key: string; reply?: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new InvalidInputError(`--port must be 1-65535, got '${opts.port}'.`, [
          { path: '--port', message: 'a port number' },
        ]);
      const { FakeUpstream } = await import('./fake-upstream.js');
      const up = new FakeUpstream({ apiKey: opts.key, chunkSize: 6 });
      if (opts.reply !== undefined) up.reply = opts.reply;
      await up.start(port);
      cli.io.out(
        `demo upstream on ${up.baseUrl} (OpenAI) and ${up.baseUrl.replace(/\/v1$/, '')} (Anthropic); provider key: ${opts.key}`,
      );
      cli.io.out(
        'point a Model at it with spec.upstream, and give Gatehouse the key (GATEHOUSE_MODEL_KEY_<MODEL> or $GATEHOUSE_HOME/model-keys/<model>)',
      );
      const stop = async () => {
        await up.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
