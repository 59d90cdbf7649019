// OAuth access tokens for Vertex AI from a service-account JSON: a JWT signed with the account's private key (RS256,
// jose) exchanged at the file's token_uri (JWT-bearer grant), cached until five minutes before it expires.
import { SignJWT, importPKCS8 } from 'jose';
import { request } from 'undici';
import { UpstreamError } from '../upstream-error.js';
import { TokenCache, safeTokenUrl } from './token-cache.js';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

interface ServiceAccount {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri: string;
}

/** Reads the service-account JSON; errors name the model and the missing field, never a value from the file. */
export function serviceAccountOf(model: string, key: string): ServiceAccount {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(key) as Record<string, unknown>;
  } catch {
    throw credentialError(model, 'it is not a service-account JSON file');
  }
  for (const f of ['client_email', 'private_key', 'token_uri'] as const)
    if (typeof j[f] !== 'string' || !j[f]) throw credentialError(model, `its service-account JSON has no ${f}`);
  // The signed assertion is a credential: it goes only over TLS (plain HTTP to loopback for local fakes).
  if (!safeTokenUrl(String(j.token_uri))) throw credentialError(model, 'its token_uri must be an https URL');
  return j as unknown as ServiceAccount;
}

const credentialError = (model: string, why: string) =>
  new UpstreamError(
    401,
    `Model '${model}': the Vertex AI credential configured for this model is unusable: ${why}; an admin must set a service-account JSON key with \`gatehouse model key set ${model}\`.`,
    502,
    { shouldRetry: false, credentialRefused: true },
  );

/** Access tokens per service account, shared by every Vertex model using it. */
export class VertexTokens {
  private readonly cache: TokenCache;

  constructor(private readonly now: () => number = Date.now) {
    this.cache = new TokenCache(now);
  }

  async token(model: string, key: string): Promise<string> {
    return this.cache.get(key, () => this.exchange(model, serviceAccountOf(model, key)));
  }

  private async exchange(model: string, sa: ServiceAccount): Promise<{ token: string; expiresIn: number }> {
    let assertion: string;
    try {
      const pk = await importPKCS8(sa.private_key, 'RS256');
      const iat = Math.floor(this.now() / 1000);
      assertion = await new SignJWT({ scope: CLOUD_PLATFORM_SCOPE })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(sa.private_key_id ? { kid: sa.private_key_id } : {}) })
        .setIssuer(sa.client_email)
        .setAudience(sa.token_uri)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 3600)
        .sign(pk);
    } catch {
      throw credentialError(model, 'its private_key is not an RSA PKCS#8 PEM key');
    }
    let res;
    try {
      res = await request(sa.token_uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: JWT_BEARER, assertion }).toString(),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
    } catch (err) {
      throw new UpstreamError(
        0,
        `Model '${model}': the Google token endpoint ${new URL(sa.token_uri).origin} did not answer (${(err as Error).message}).`,
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
      throw new UpstreamError(
        res.statusCode,
        `Model '${model}': the Google token endpoint answered ${res.statusCode}.`,
      );
    if (res.statusCode !== 200 || typeof j.access_token !== 'string')
      throw new UpstreamError(
        res.statusCode,
        `Model '${model}': Google refused the service-account credential configured for this model (${res.statusCode}${typeof j.error === 'string' ? ` ${j.error}` : ''}); an admin must set a valid one with \`gatehouse model key set ${model}\`.`,
        502,
        { shouldRetry: false, credentialRefused: true },
      );
    const expiresIn = typeof j.expires_in === 'number' && j.expires_in > 0 ? j.expires_in : 3600;
    return { token: j.access_token, expiresIn };
  }
}
