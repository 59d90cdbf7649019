// CLI: `gatehouse model key set|rm|list`: provider keys go to the server from stdin or an env var, never argv, and
// are never printed (only their fingerprint).
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context.js';
import { commandGroup } from '../cli/command-group.js';
import { InvalidInputError } from '../core/errors.js';
import type { ModelKeyInfo } from './model-keys.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Reads the key from stdin to EOF (piped, or typed then Ctrl-D); a terminal gets a prompt on stderr. */
async function readStdin(cli: CliContext): Promise<string> {
  if (process.stdin.isTTY) cli.io.err('Paste the provider key, then press Enter and Ctrl-D (it is not shown back):');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8').trim();
}

export function registerModelKeyCommands(program: Command, cli: CliContext): void {
  const model = commandGroup(program, 'model', 'catalog models: provider keys');
  const key = commandGroup(model, 'key', 'provider keys kept sealed on the server (rotate without a restart)');
  key
    .command('set <model>')
    .description('set or rotate the provider key of a model; reads it from stdin, or from --from-env VAR')
    .option('--from-env <var>', 'take the key from this environment variable of the CLI process')
    .action(async (name: string, o: { fromEnv?: string }) => {
      let secret: string;
      if (o.fromEnv) {
        secret = (cli.env[o.fromEnv] ?? '').trim();
        if (!secret)
          throw new InvalidInputError(`--from-env ${o.fromEnv}: that environment variable is not set or empty.`, [
            { path: '--from-env', message: 'unset or empty' },
          ]);
      } else secret = await readStdin(cli);
      if (!secret)
        throw new InvalidInputError(
          'No key on stdin: pipe it in (`... | gatehouse model key set <model>`) or use --from-env VAR.',
          [{ path: 'stdin', message: 'empty' }],
        );
      const r = await cli
        .api()
        .request<ModelKeyInfo>('PUT', `/api/v1/model-keys/${encodeURIComponent(name)}`, { key: secret });
      cli.print(r, () =>
        [
          `set the provider key of ${r.model} (${r.fingerprint}); every replica uses it from its next call`,
          ...(r.overriddenByEnv
            ? [`note: the server has GATEHOUSE_MODEL_KEY_* set for ${r.model}, which wins until it is unset`]
            : []),
        ].join('\n'),
      );
    });
  key
    .command('rm <model>')
    .description('remove the stored provider key of a model')
    .action(async (name: string) => {
      const r = await cli.api().request<{ model: string }>('DELETE', `/api/v1/model-keys/${encodeURIComponent(name)}`);
      cli.print(r, () => `removed the stored provider key of ${r.model}`);
    });
  key
    .command('list')
    .description('list the stored provider keys: model, fingerprint, who set it and when (never the key)')
    .action(async () => {
      const r = await cli.api().request<{ keys: ModelKeyInfo[] }>('GET', '/api/v1/model-keys');
      cli.print(r, () =>
        r.keys.length
          ? r.keys
              .map(
                (k) =>
                  `${k.model.padEnd(24)} ${k.fingerprint}  set ${iso(k.setAt)} by ${k.setBy}${k.overriddenByEnv ? '  (env var wins)' : ''}`,
              )
              .join('\n')
          : 'no stored provider keys',
      );
    });
}
