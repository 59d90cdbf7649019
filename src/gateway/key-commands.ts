// CLI: `gatehouse key create|list|show|rotate|revoke`, and the key options `gatehouse app key create` shares.
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context.js';
import { commandGroup } from '../cli/command-group.js';
import { InvalidInputError } from '../core/errors.js';
import type { KeyInfo } from './key-store.js';

const iso = (ms: number) => new Date(ms).toISOString();
const list = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];
const label = (v: string, prev: Record<string, string> = {}) => {
  const i = v.indexOf('=');
  if (i < 1) throw new InvalidInputError(`--label '${v}' is not key=value.`, [{ path: 'label', message: 'key=value' }]);
  return { ...prev, [v.slice(0, i)]: v.slice(i + 1) };
};
function positive(v: string, field: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidInputError(`--${field} '${v}' is not a positive number.`, [{ path: field, message: '> 0' }]);
  return n;
}

export interface KeyCliOptions {
  env?: string;
  name?: string;
  ttl?: string;
  models?: string[];
  rpm?: string;
  tpm?: string;
  dailyUsd?: string;
  monthlyUsd?: string;
  cidr?: string[];
  apps?: string[];
  team?: string;
  costCenter?: string;
  label?: Record<string, string>;
}

/** The options every key takes (one definition for `key create` and `app key create`). */
export function withKeyOptions(cmd: Command): Command {
  return cmd
    .option('--env <env>', 'dev, staging or prod (app keys default to the environment of the version in force)')
    .option('--name <name>', 'a name for the key')
    .option('--ttl <ttl>', "lifetime: 90d (default), 12h, 30d ..., or 'never' (explicit only)")
    .option('--models <list>', 'allowed models: names or patterns (gpt-*), comma-separated or repeated', list)
    .option('--rpm <n>', 'requests per minute for this key')
    .option('--tpm <n>', 'tokens per minute for this key')
    .option('--daily-usd <usd>', 'daily budget in USD (UTC day)')
    .option('--monthly-usd <usd>', 'monthly budget in USD (UTC calendar month)')
    .option('--cidr <list>', 'allowed source networks (IPv4/IPv6 CIDRs), comma-separated or repeated', list)
    .option('--team <team>', 'team the spend is attributed to (service keys: the owning team)')
    .option('--cost-center <cc>', 'cost center the spend is attributed to')
    .option('--label <k=v>', 'free label (repeatable)', label);
}

/** The API body for a key's options. */
export function keyBody(o: KeyCliOptions): Record<string, unknown> {
  const limits = {
    ...(o.models?.length ? { models: o.models } : {}),
    ...(o.rpm ? { rpm: positive(o.rpm, 'rpm') } : {}),
    ...(o.tpm ? { tpm: positive(o.tpm, 'tpm') } : {}),
    ...(o.dailyUsd ? { dailyUsd: positive(o.dailyUsd, 'daily-usd') } : {}),
    ...(o.monthlyUsd ? { monthlyUsd: positive(o.monthlyUsd, 'monthly-usd') } : {}),
    ...(o.cidr?.length ? { cidrs: o.cidr } : {}),
    ...(o.apps?.length ? { apps: o.apps } : {}),
  };
  const metadata = {
    ...(o.team ? { team: o.team } : {}),
    ...(o.costCenter ? { costCenter: o.costCenter } : {}),
    ...(o.label ? { labels: o.label } : {}),
  };
  return {
    ...(o.env ? { env: o.env } : {}),
    ...(o.name ? { name: o.name } : {}),
    ...(o.ttl ? { ttl: o.ttl } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
    ...(Object.keys(metadata).length ? { metadata } : {}),
  };
}

/** One key, as `key show` prints it (never a secret). */
export function describeKey(k: KeyInfo): string {
  const l = k.limits;
  const m = k.metadata;
  return [
    `id:       ${k.id}${k.name ? ` (${k.name})` : ''}`,
    `kind:     ${k.kind}${k.app ? `, app ${k.app}` : ''}${k.owner ? `, owner ${k.owner}` : ''}, env ${k.env ?? 'any'}`,
    `created:  ${iso(k.createdAt)} by ${k.createdBy}${k.rotatedAt ? `, rotated ${iso(k.rotatedAt)}` : ''}`,
    `expires:  ${k.expiresAt ? iso(k.expiresAt) : 'never'}${k.revokedAt ? `  REVOKED ${iso(k.revokedAt)}` : ''}`,
    `models:   ${l.models?.join(', ') ?? 'any the app declares'}`,
    `rate:     ${l.rpm ?? '-'} rpm, ${l.tpm ?? '-'} tpm`,
    `budget:   ${l.dailyUsd !== undefined ? `$${l.dailyUsd}/day` : '-'}, ${l.monthlyUsd !== undefined ? `$${l.monthlyUsd}/month` : '-'}`,
    `networks: ${l.cidrs?.join(', ') ?? 'any'}${l.apps ? `\napps:     ${l.apps.join(', ')}` : ''}`,
    `team:     ${m.team ?? '-'}  cost center: ${m.costCenter ?? '-'}${
      m.labels
        ? `  labels: ${Object.entries(m.labels)
            .map(([a, b]) => `${a}=${b}`)
            .join(' ')}`
        : ''
    }`,
  ].join('\n');
}

export function printCreated(r: KeyInfo & { key: string; graceUntil?: number }): string {
  return [
    `key:     ${r.key}`,
    `id:      ${r.id} (${r.kind}${r.app ? ` key of app ${r.app}` : ` key of ${r.owner}`}, ${r.env ?? 'any env'})`,
    `expires: ${r.expiresAt ? iso(r.expiresAt) : 'never'}`,
    ...(r.graceUntil ? [`the previous secret works until ${iso(r.graceUntil)}`] : []),
    'Store it now: Gatehouse keeps only its hash.',
    r.kind === 'service'
      ? 'Use it as the API key with base URL <gatehouse>/v1 and the header x-gatehouse-app: <app>.'
      : 'Use it with base URL <gatehouse>/v1 in the openai or @anthropic-ai/sdk client.',
  ].join('\n');
}

const line = (k: KeyInfo) =>
  `${k.id}  ${k.kind.padEnd(7)} ${(k.app ?? k.owner ?? '').padEnd(20)} ${(k.env ?? 'any').padEnd(7)} expires ${k.expiresAt ? iso(k.expiresAt) : 'never'}${k.metadata.team ? `  team ${k.metadata.team}` : ''}${k.revokedAt ? `  REVOKED ${iso(k.revokedAt)}` : ''}`;

export function registerKeyCommands(program: Command, cli: CliContext): void {
  const key = commandGroup(program, 'key', 'gateway keys with their own limits: app keys and service keys');
  withKeyOptions(
    key
      .command('create')
      .description(
        'create a key (secret printed once): --app <app> for an app key, --team or --user for a service key, which names the app it calls as in the x-gatehouse-app header',
      ),
  )
    .option('--app <app>', 'app key of this app')
    .option('--user <user>', 'service key of this user (the calls are that user\u2019s)')
    .option('--apps <list>', 'service keys: apps the key may call as (default any)', list)
    .action(async (o: KeyCliOptions & { app?: string; user?: string }) => {
      const service = !o.app;
      if (service && !o.team && !o.user)
        throw new InvalidInputError('Give --app <app> for an app key, or --team / --user for a service key.');
      const body = {
        ...keyBody(o),
        kind: service ? 'service' : 'app',
        ...(o.app ? { app: o.app } : {}),
        ...(service && o.team ? { team: o.team } : {}),
        ...(o.user ? { user: o.user } : {}),
      };
      const r = await cli.api().request<KeyInfo & { key: string }>('POST', '/api/v1/keys', body);
      cli.print(r, () => printCreated(r));
    });
  key
    .command('list')
    .description('list keys (never the secrets)')
    .option('--app <app>', 'only the keys of this app')
    .option('--team <team>', 'only the keys of this team')
    .option('--user <user>', 'only the service keys of this user')
    .option('--all', 'include revoked keys')
    .action(async (o: { app?: string; team?: string; user?: string; all?: boolean }) => {
      const q = new URLSearchParams(
        Object.entries({ app: o.app, team: o.team, user: o.user, all: o.all ? 'true' : undefined }).filter(
          (e): e is [string, string] => e[1] !== undefined,
        ),
      );
      const r = await cli.api().request<{ keys: KeyInfo[] }>('GET', `/api/v1/keys?${q}`);
      cli.print(r, () => (r.keys.length ? r.keys.map(line).join('\n') : 'no keys'));
    });
  key
    .command('show <id>')
    .description('show a key: limits, expiry, metadata (never its secret)')
    .action(async (id: string) => {
      const r = await cli.api().request<KeyInfo>('GET', `/api/v1/keys/${encodeURIComponent(id)}`);
      cli.print(r, () => describeKey(r));
    });
  key
    .command('rotate <id>')
    .description('new secret for a key (printed once); the old one stays valid for --grace (default 0)')
    .option('--grace <duration>', 'how long the old secret keeps working, e.g. 1h (default 0: stops at once)')
    .option('--ttl <ttl>', 'new lifetime (default: 90d from now if the key expires, else never)')
    .action(async (id: string, o: { grace?: string; ttl?: string }) => {
      const r = await cli
        .api()
        .request<KeyInfo & { key: string; graceUntil?: number }>(
          'POST',
          `/api/v1/keys/${encodeURIComponent(id)}/rotate`,
          {
            ...(o.grace ? { grace: o.grace } : {}),
            ...(o.ttl ? { ttl: o.ttl } : {}),
          },
        );
      cli.print(r, () => printCreated(r));
    });
  key
    .command('revoke <id>')
    .description('revoke a key at once (every replica)')
    .action(async (id: string) => {
      const r = await cli.api().request<KeyInfo>('DELETE', `/api/v1/keys/${encodeURIComponent(id)}`);
      cli.print(r, () => `revoked ${r.id}`);
    });
}

export { line as keyLine };
