// Microsoft Entra ID access tokens for Azure OpenAI by the client-credentials grant: the provider key is a JSON
// {tenant_id, client_id, client_secret, authority_host?}; tokens (scope cognitiveservices) are cached until near expiry.
import { request } from 'undici';
import { UpstreamError } from '../upstream-error.js';
import { TokenCache, safeTokenUrl, type FetchedToken } from './token-cache.js';

export const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';
const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';

interface ClientCredentials {
  tenant_id: string;
  client_id: string;
  client_secret: string;
  authority_host?: string;
}

const credentialError = (model: string, why: string) =>
  new UpstreamError(
    401,
    `Model '${model}': the Entra ID credential configured for this model is unusable: ${why}; an admin must set a JSON {tenant_id, client_id, client_secret} with \`gatehouse model key set ${model}\`.`,
    502,
    { shouldRetry: false, credentialRefused: true },
  );

/** Reads the client credentials; errors name the missing field, never a value. */
export function clientCredentialsOf(model: string, key: string): { creds: ClientCredentials; tokenUrl: URL } {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(key) as Record<string, unknown>;
  } catch {
    throw credentialError(model, 'it is not a JSON object');
  }
  for (const f of ['tenant_id', 'client_id', 'client_secret'] as const)
    if (typeof j[f] !== 'string' || !j[f]) throw credentialError(model, `it has no ${f}`);
  if (!/^[A-Za-z0-9.-]+$/.test(String(j.tenant_id))) throw credentialError(model, 'its tenant_id is not a tenant id');
  const host = typeof j.authority_host === 'string' ? j.authority_host : DEFAULT_AUTHORITY;
  // The client secret goes only over TLS (plain HTTP to loopback for local fakes).
  const tokenUrl = safeTokenUrl(`${host.replace(/\/+$/, '')}/${String(j.tenant_id)}/oauth2/v2.0/token`);
  if (!tokenUrl) throw credentialError(model, 'its authority_host must be an https URL');
  return { creds: j as unknown as ClientCredentials, tokenUrl };
}

export class EntraTokens {
  private readonly cache: TokenCache;

  constructor(now: () => number = Date.now) {
    this.cache = new TokenCache(now);
  }

  async token(model: string, key: string): Promise<string> {
    const { creds, tokenUrl } = clientCredentialsOf(model, key);
    return this.cache.get(key, () => this.fetch(model, creds, tokenUrl));
  }

  private async fetch(model: string, c: ClientCredentials, url: URL): Promise<FetchedToken> {
    let res;
    try {
      res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: c.client_id,
          client_secret: c.client_secret,
          scope: COGNITIVE_SERVICES_SCOPE,
        }).toString(),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
    } catch (err) {
      throw new UpstreamError(
        0,
        `Model '${model}': Entra ID at ${url.origin} did not answer (${(err as Error).message}).`,
      );
    }
    const text = await res.body.text().catch(() => '');
    let j: { access_token?: unknown; expires_in?: unknown; error?: unknown } = {};
    try {
      j = JSON.parse(text) as typeof j;
    } catch {
      // judged below
    }
    if (res.statusCode >= 500)
      throw new UpstreamError(res.statusCode, `Model '${model}': Entra ID answered ${res.statusCode}.`);
    if (res.statusCode !== 200 || typeof j.access_token !== 'string')
      throw new UpstreamError(
        res.statusCode,
        `Model '${model}': Entra ID refused the client credentials configured for this model (${res.statusCode}${typeof j.error === 'string' ? ` ${j.error}` : ''}); an admin must set valid ones with \`gatehouse model key set ${model}\`.`,
        502,
        { shouldRetry: false, credentialRefused: true },
      );
    // Entra sends expires_in as a number (older endpoints: a string of digits).
    const expiresIn = Number(j.expires_in);
    return { token: j.access_token, expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600 };
  }
}
