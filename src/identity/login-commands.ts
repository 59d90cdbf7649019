// CLI: `gatehouse login` (OAuth 2.0 device authorization grant, RFC 8628, against the server's IdP; the sign-in is
// cached under the user's config directory, mode 0600, and refreshed when needed) and `gatehouse logout`.
import { rmSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context.js';
import { InvalidInputError, UnauthenticatedError, UnavailableError } from '../core/errors.js';
import { bearerOf, loginFile, writeLogin, type TokenResponse } from './login-cache.js';

interface AuthConfig {
  oidc: {
    issuer: string;
    audience: string;
    clientId: string | null;
    deviceAuthorizationEndpoint: string | null;
    tokenEndpoint: string | null;
  } | null;
}

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  expires_in: number;
  interval?: number;
}

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

async function postForm<T>(url: string, form: Record<string, string>): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
}

export function registerLoginCommands(program: Command, cli: CliContext): void {
  program
    .command('login')
    .description("sign in with your organisation's identity provider (device code); the CLI then acts as you")
    .action(async () => {
      const api = cli.api();
      const { oidc } = await api.request<AuthConfig>('GET', '/api/v1/auth/config');
      if (!oidc?.clientId || !oidc.deviceAuthorizationEndpoint || !oidc.tokenEndpoint)
        throw new InvalidInputError(
          'This server has no sign-in configured for the CLI: set identity.oidc.clientId (a public client allowed the device grant) and make sure the IdP publishes a device_authorization_endpoint.',
          [{ path: 'identity.oidc.clientId', message: 'required for gatehouse login' }],
        );
      const scope = 'openid profile email offline_access';
      const start = await postForm<DeviceAuthorization & TokenResponse>(oidc.deviceAuthorizationEndpoint, {
        client_id: oidc.clientId,
        scope,
        // RFC 8707 resource indicator: IdPs that mint per-API access tokens use it to set the audience.
        ...(/^https?:\/\//.test(oidc.audience) ? { resource: oidc.audience } : {}),
      });
      if (!start.body.device_code)
        throw new UnavailableError(
          `The identity provider refused the device sign-in: ${start.body.error_description ?? start.body.error ?? start.status}`,
        );
      const d = start.body;
      cli.io.err(`To sign in, open ${d.verification_uri_complete ?? d.verification_uri}`);
      cli.io.err(`and enter the code: ${d.user_code}`);
      let interval = (d.interval ?? 5) * 1000;
      const deadline = Date.now() + d.expires_in * 1000;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, interval));
        const t = await postForm<TokenResponse>(oidc.tokenEndpoint, {
          grant_type: DEVICE_GRANT,
          device_code: d.device_code,
          client_id: oidc.clientId,
        });
        const bearer = bearerOf(t.body);
        if (bearer) {
          const file = writeLogin(cli.env, {
            server: api.baseUrl,
            issuer: oidc.issuer,
            clientId: oidc.clientId,
            tokenEndpoint: oidc.tokenEndpoint,
            accessToken: bearer,
            refreshToken: t.body.refresh_token,
            expiresAt: Date.now() + (t.body.expires_in ?? 300) * 1000,
          });
          const me = await api.request<{ user: string; roles: string[] }>('GET', '/api/v1/whoami');
          cli.print(
            { user: me.user, roles: me.roles, file },
            () => `Signed in as ${me.user} (roles: ${me.roles.join(', ') || 'none'}).`,
          );
          return;
        }
        // RFC 8628 section 3.5: keep polling while pending; slow down by 5 s when told to.
        if (t.body.error === 'authorization_pending') continue;
        if (t.body.error === 'slow_down') {
          interval += 5000;
          continue;
        }
        throw new UnauthenticatedError(`Sign-in failed: ${t.body.error_description ?? t.body.error ?? t.status}`);
      }
      throw new UnauthenticatedError('The sign-in code expired before it was approved; run `gatehouse login` again.');
    });
  program
    .command('logout')
    .description('forget the cached sign-in')
    .action(() => {
      rmSync(loginFile(cli.env), { force: true });
      cli.print({ loggedOut: true }, () => 'Signed out.');
    });
}
