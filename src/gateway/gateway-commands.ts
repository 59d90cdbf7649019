// CLI: `gatehouse app key create|list|revoke` (app keys; `gatehouse key` is the full set), `gatehouse session create`,
// `gatehouse costs`, `gatehouse model key` and `gatehouse model deployments`.
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context.js';
import { commandGroup } from '../cli/command-group.js';
import { InvalidInputError } from '../core/errors.js';
import type { CostLine } from './cost-ledger.js';
import type { AppKeyInfo } from './credentials.js';
import { registerDeploymentCommands } from './routing/deployment-commands.js';
import { registerModelKeyCommands } from './model-key-commands.js';
import {
  keyBody,
  keyLine,
  printCreated,
  registerKeyCommands,
  withKeyOptions,
  type KeyCliOptions,
} from './key-commands.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function registerGatewayCommands(program: Command, cli: CliContext): void {
  registerDeploymentCommands(program, cli);
  registerModelKeyCommands(program, cli);
  registerKeyCommands(program, cli);
  const app = commandGroup(program, 'app', 'micro-apps: submit, inspect, run, roll back');
  const key = commandGroup(app, 'key', 'model gateway keys bound to an app');
  withKeyOptions(
    key
      .command('create <app>')
      .description(
        'create a gateway key for an app (printed once; use it as the OpenAI/Anthropic API key); same as `gatehouse key create --app`',
      ),
  ).action(async (name: string, o: KeyCliOptions) => {
    const r = await cli
      .api()
      .request<AppKeyInfo & { key: string }>('POST', `/api/v1/apps/${encodeURIComponent(name)}/keys`, keyBody(o));
    cli.print(r, () => printCreated(r));
  });
  key
    .command('list <app>')
    .description('list the gateway keys of an app (never the secrets)')
    .action(async (name: string) => {
      const r = await cli.api().request<{ keys: AppKeyInfo[] }>('GET', `/api/v1/apps/${encodeURIComponent(name)}/keys`);
      cli.print(r, () => (r.keys.length ? r.keys.map(keyLine).join('\n') : `no keys for ${name}`));
    });
  key
    .command('revoke <app> <key-id>')
    .description('revoke a gateway key at once (every replica)')
    .action(async (name: string, id: string) => {
      const r = await cli
        .api()
        .request<AppKeyInfo>('DELETE', `/api/v1/apps/${encodeURIComponent(name)}/keys/${encodeURIComponent(id)}`);
      cli.print(r, () => `revoked ${r.id} of ${r.app}`);
    });

  const session = commandGroup(program, 'session', 'short-lived gateway session tokens for app users');
  session
    .command('create')
    .description('mint a session token bound to app, version in force, user and a new session id')
    .requiredOption('--app <app>', 'app name')
    .requiredOption('--user <user>', 'the end user the calls are attributed to')
    .option('--ttl <ttl>', 'lifetime, e.g. 15m, 1h', '15m')
    .action(async (o: { app: string; user: string; ttl: string }) => {
      const r = await cli
        .api()
        .request<{ token: string; sessionId: string; version: number; expiresAt: number }>('POST', '/api/v1/sessions', {
          app: o.app,
          user: o.user,
          ttl: o.ttl,
        });
      cli.print(r, () =>
        [
          `token:   ${r.token}`,
          `session: ${r.sessionId} (app ${o.app} v${r.version}, user ${o.user})`,
          `expires: ${iso(r.expiresAt)}`,
        ].join('\n'),
      );
    });

  program
    .command('costs')
    .description('model spend for attribution, from the gateway cost rows')
    .option('--app <app>', 'only this app')
    .option('--user <user>', 'only this user')
    .option('--key <id>', 'only this gateway key')
    .option('--team <team>', 'only keys of this team')
    .option('--since <when>', 'ISO date, or relative: 7d, 24h, 30m')
    .option('--by <group>', 'model, app, user, day, key or team', 'model')
    .action(async (o: { app?: string; user?: string; key?: string; team?: string; since?: string; by: string }) => {
      if (!['model', 'app', 'user', 'day', 'key', 'team'].includes(o.by))
        throw new InvalidInputError(`--by '${o.by}' is not one of model, app, user, day, key, team.`);
      const q = new URLSearchParams(
        Object.entries({ app: o.app, user: o.user, key: o.key, team: o.team, since: o.since, by: o.by }).filter(
          (e): e is [string, string] => e[1] !== undefined,
        ),
      );
      const r = await cli
        .api()
        .request<{ by: string; lines: CostLine[]; total: CostLine }>('GET', `/api/v1/costs?${q}`);
      const row = (l: CostLine) =>
        `${l.key.padEnd(24)} ${String(l.requests).padStart(8)} ${String(l.tokensIn).padStart(10)} ${String(l.tokensOut).padStart(10)} ${`$${l.costUsd.toFixed(6)}`.padStart(14)}`;
      cli.print(r, () =>
        [
          `${r.by.padEnd(24)} ${'requests'.padStart(8)} ${'tokens in'.padStart(10)} ${'tokens out'.padStart(10)} ${'cost'.padStart(14)}`,
          ...r.lines.map(row),
          row(r.total),
        ].join('\n'),
      );
    });
}
