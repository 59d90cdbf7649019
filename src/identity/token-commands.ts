// CLI: `gatehouse token create --user <name> [--ttl 30d]`, `gatehouse token revoke <id>`, `gatehouse whoami`.
import type { Command } from 'commander';
import { commandGroup } from '../cli/command-group.js';
import type { CliContext } from '../cli/cli-context.js';
import type { Principal } from './principal.js';

export function registerTokenCommands(program: Command, cli: CliContext): void {
  const token = commandGroup(program, 'token', 'API tokens for catalog users');
  token
    .command('create')
    .description('print a bearer token for a catalog user (admin only)')
    .requiredOption('--user <name>', 'catalog user the token acts as')
    .option('--ttl <duration>', 'expiry, e.g. 12h or 30d (default: no expiry)')
    .action(async (opts: { user: string; ttl?: string }) => {
      const r = await cli
        .api()
        .request<{ token: string; tokenId: string; user: string; expiresAt: number | null }>('POST', '/api/v1/tokens', {
          user: opts.user,
          ttl: opts.ttl,
        });
      cli.print(r, () => r.token);
    });
  token
    .command('revoke <tokenId>')
    .description('revoke a token by its id (admin only)')
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
