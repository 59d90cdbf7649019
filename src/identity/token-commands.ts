// CLI: `gatehouse token create [--user <name>] [--ttl 30d|never] [--scope read,submit]`, `token list`,
// `token revoke <id>`, `gatehouse whoami`.
import type { Command } from 'commander';
import { commandGroup } from '../cli/command-group.js';
import type { CliContext } from '../cli/cli-context.js';
import type { Principal } from './principal.js';
import { SCOPES } from './scopes.js';
import type { TokenInfo } from './token-service.js';

export function registerTokenCommands(program: Command, cli: CliContext): void {
  const token = commandGroup(program, 'token', 'API tokens for catalog users');
  token
    .command('create')
    .description('print a bearer token: for yourself, or (admins) for any catalog user')
    .option('--user <name>', 'catalog user the token acts as (default: you)')
    .option('--ttl <duration>', 'expiry, e.g. 12h or 30d (default from config: 30d); `never` for admins only')
    .option('--scope <scopes>', `comma-separated scopes: ${SCOPES.join(', ')} (default: those of your token)`)
    .action(async (opts: { user?: string; ttl?: string; scope?: string }) => {
      const r = await cli
        .api()
        .request<{ token: string; tokenId: string; expiresAt: number | null }>('POST', '/api/v1/tokens', {
          user: opts.user,
          ttl: opts.ttl,
          scopes: opts.scope
            ? opts.scope
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean)
            : undefined,
        });
      cli.print(r, () => r.token);
    });
  token
    .command('list')
    .description('list your tokens (never their secrets): scopes, expiry, last use')
    .option('--user <name>', 'another user (admins only)')
    .action(async (opts: { user?: string }) => {
      const q = opts.user ? `?user=${encodeURIComponent(opts.user)}` : '';
      const r = await cli.api().request<{ tokens: TokenInfo[] }>('GET', `/api/v1/tokens${q}`);
      const when = (t: number | null, none: string) => (t === null ? none : new Date(t).toISOString());
      cli.print(
        r,
        () =>
          r.tokens
            .map(
              (t) =>
                `${t.tokenId}  ${t.user}  [${t.scopes.join(',')}]  expires ${when(t.expiresAt, 'never')}  last used ${when(t.lastUsedAt, 'never')}${t.revoked ? '  REVOKED' : ''}`,
            )
            .join('\n') || 'no tokens',
      );
    });
  token
    .command('revoke <tokenId>')
    .description('revoke a token by its id (your own; admins any)')
    .action(async (id: string) => {
      const r = await cli.api().request('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`);
      cli.print(r, () => `revoked ${id}`);
    });
  program
    .command('whoami')
    .description('show the user and roles of GATEHOUSE_TOKEN')
    .action(async () => {
      const p = await cli.api().request<Principal>('GET', '/api/v1/whoami');
      cli.print(
        p,
        () => `${p.user} (roles: ${p.roles.join(', ') || 'none'}; groups: ${p.groups.join(', ') || 'none'})`,
      );
    });
}
