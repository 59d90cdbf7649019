// The CLI's cached sign-in (`gatehouse login`): an IdP access token and refresh token for one Gatehouse server,
// kept in the user's config directory with mode 0600, refreshed when it is about to expire.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { looksLikeJwt } from './jwt-shape.js';

export interface CachedLogin {
  /** The Gatehouse server this sign-in is for; the token is never sent to another. */
  server: string;
  issuer: string;
  clientId: string;
  tokenEndpoint: string;
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** GATEHOUSE_CONFIG_DIR, else $XDG_CONFIG_HOME/gatehouse, else ~/.config/gatehouse. */
export function configDir(env: Record<string, string | undefined>): string {
  if (env.GATEHOUSE_CONFIG_DIR) return env.GATEHOUSE_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'gatehouse');
}

export function loginFile(env: Record<string, string | undefined>): string {
  return join(configDir(env), 'login.json');
}

export function writeLogin(env: Record<string, string | undefined>, login: CachedLogin): string {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = loginFile(env);
  // Written whole to a private temp file and renamed, so no reader sees a half-written token or a wider mode.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(login, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return file;
}

export function readLogin(env: Record<string, string | undefined>, server: string): CachedLogin | undefined {
  try {
    const login = JSON.parse(readFileSync(loginFile(env), 'utf8')) as CachedLogin;
    return login.server === server ? login : undefined;
  } catch {
    return undefined;
  }
}

/** The cached access token for `server`, refreshed first when it expires within a minute; undefined if none. */
export async function loginToken(
  env: Record<string, string | undefined>,
  server: string,
  now = Date.now(),
): Promise<string | undefined> {
  const login = readLogin(env, server);
  if (!login) return undefined;
  if (login.expiresAt - 60_000 > now) return login.accessToken;
  if (!login.refreshToken) return undefined;
  const res = await fetch(login.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: login.refreshToken,
      client_id: login.clientId,
    }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json().catch(() => ({}))) as TokenResponse;
  // A refused refresh (revoked, expired) falls back to no token: the server then says how to sign in again.
  const bearer = bearerOf(body);
  if (!res.ok || !bearer) return undefined;
  writeLogin(env, {
    ...login,
    accessToken: bearer,
    refreshToken: body.refresh_token ?? login.refreshToken,
    expiresAt: now + (body.expires_in ?? 300) * 1000,
  });
  return bearer;
}

export interface TokenResponse {
  access_token?: string;
  id_token?: string;
  refresh_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
  interval?: number;
}

/**
 * The token to send as the bearer: the access token when it is a JWT; else the ID token (Google issues opaque access
 * tokens, and its ID token carries the client id as audience).
 */
export function bearerOf(body: TokenResponse): string | undefined {
  return looksLikeJwt(body.access_token) ? body.access_token : (body.id_token ?? body.access_token);
}
