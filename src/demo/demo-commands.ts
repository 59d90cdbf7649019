// CLI: `gatehouse demo upstream`: a local stand-in for OpenAI/Anthropic, so the gateway can be tried offline.
import type { Command } from 'commander';
import { InvalidInputError } from '../core/errors.js';
import { commandGroup } from '../cli/command-group.js';
import type { CliContext } from '../cli/cli-context.js';

export function registerDemoCommands(program: Command, cli: CliContext): void {
  const demo = commandGroup(program, 'demo', 'local helpers for trying Gatehouse without a paid model provider');
  demo
    .command('incidents')
    .description(
      "play the design brief's two incidents (SSN leak, token spike) end to end with a live timeline and a summary",
    )
    .option('--case <case>', 'ssn, spike or both', 'both')
    .option('--speed <speed>', 'fast (seconds) or realtime (the shipped rule timings: about 8 minutes)', 'fast')
    .option('--standalone', 'run against a temporary Gatehouse of its own instead of GATEHOUSE_URL')
    .option('--keep', 'keep what the demo created (demo- catalog entries, apps, kills, caps, rules)')
    .action(async (opts: { case: string; speed: string; standalone?: boolean; keep?: boolean }) => {
      const cases = { ssn: ['ssn'], spike: ['spike'], both: ['ssn', 'spike'] }[opts.case] as
        ('ssn' | 'spike')[] | undefined;
      if (!cases)
        throw new InvalidInputError(`--case must be ssn, spike or both, got '${opts.case}'.`, [
          { path: '--case', message: 'ssn, spike or both' },
        ]);
      if (opts.speed !== 'fast' && opts.speed !== 'realtime')
        throw new InvalidInputError(`--speed must be fast or realtime, got '${opts.speed}'.`, [
          { path: '--speed', message: 'fast or realtime' },
        ]);
      const { runIncidentDemo } = await import('./incident-demo.js');
      await runIncidentDemo(cli, {
        cases,
        fast: opts.speed === 'fast',
        standalone: Boolean(opts.standalone),
        keep: Boolean(opts.keep),
      });
    });
  demo
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
