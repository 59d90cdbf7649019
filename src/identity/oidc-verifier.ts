// Verifies bearer JWTs from the configured OpenID Provider: discovery from the issuer URL, JWKS through jose
// (a token signed by a key not yet seen refetches the key set, so rotation at the IdP is picked up), and
// issuer, audience, expiry and algorithm checks. Every refusal carries a reason for the server log.
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
} from 'jose';
import type { Clock } from '../core/clock.js';

/** What discovery tells us about the IdP (the parts Gatehouse uses). */
export interface OidcMetadata {
  issuer: string;
  jwks_uri: string;
  token_endpoint?: string;
  device_authorization_endpoint?: string;
  authorization_endpoint?: string;
  end_session_endpoint?: string;
}

export class OidcRefusal extends Error {}

/** Reads `<issuer>/.well-known/openid-configuration`; the document must name the same issuer (OIDC Discovery 4.3). */
export async function discover(issuer: string): Promise<OidcMetadata> {
  const url = issuer.replace(/\/$/, '') + '/.well-known/openid-configuration';
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`OIDC discovery at ${url} answered ${res.status}`);
  const meta = (await res.json()) as Partial<OidcMetadata>;
  if (meta.issuer !== issuer)
    throw new Error(`OIDC discovery at ${url} names issuer '${meta.issuer}', not '${issuer}'`);
  if (typeof meta.jwks_uri !== 'string') throw new Error(`OIDC discovery at ${url} has no jwks_uri`);
  return meta as OidcMetadata;
}

export interface OidcVerifierOptions {
  issuer: string;
  audience: string;
  algorithms: readonly string[];
  clock: Clock;
  /** Minimum wait between two key-set fetches triggered by unknown keys (jose default 30 s; tests use 0). */
  jwksCooldownMs?: number;
}

export class OidcVerifier {
  private setup?: Promise<{ meta: OidcMetadata; jwks: ReturnType<typeof createRemoteJWKSet> }>;

  constructor(private readonly o: OidcVerifierOptions) {}

  /** Discovery runs on first use and again after a failure, so an IdP down at start does not stop Gatehouse. */
  metadata(): Promise<OidcMetadata> {
    return this.load().then((s) => s.meta);
  }

  private load() {
    this.setup ??= discover(this.o.issuer).then(
      (meta) => ({
        meta,
        jwks: createRemoteJWKSet(new URL(meta.jwks_uri), {
          cooldownDuration: this.o.jwksCooldownMs ?? 30_000,
          timeoutDuration: 10_000,
        }),
      }),
      (err: unknown) => {
        this.setup = undefined;
        throw err;
      },
    );
    return this.setup;
  }

  /**
   * The verified claims, or an OidcRefusal saying why (never a token's contents). `audience` defaults to the API's;
   * an ID token is checked against the client id and, with `nonce`, against the nonce of the sign-in that asked.
   */
  async verify(token: string, opts: { audience?: string; nonce?: string } = {}): Promise<JWTPayload & { sub: string }> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new OidcRefusal('malformed JWT header');
    }
    // Checked before any key lookup: an unsigned token (`alg: none`) or an HMAC one never reaches verification.
    if (!alg || !this.o.algorithms.includes(alg))
      throw new OidcRefusal(`algorithm '${alg}' not accepted (allowed: ${this.o.algorithms.join(', ')})`);
    // An unverified look at `iss` only to name the reason: a token from another issuer would otherwise read as
    // "unknown key". Nothing is accepted on this basis; acceptance needs the signature below.
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw new OidcRefusal('malformed JWT payload');
    }
    if (iss !== this.o.issuer) throw new OidcRefusal(`claim 'iss' check failed (issued by '${String(iss)}')`);
    let jwks;
    try {
      jwks = (await this.load()).jwks;
    } catch (err) {
      throw new OidcRefusal(`identity provider unavailable: ${(err as Error).message}`);
    }
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: this.o.issuer,
        audience: opts.audience ?? this.o.audience,
        algorithms: [...this.o.algorithms],
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(this.o.clock.now()),
      });
      if (opts.nonce !== undefined && payload.nonce !== opts.nonce)
        throw new OidcRefusal('nonce does not match the sign-in');
      return payload as JWTPayload & { sub: string };
    } catch (err) {
      if (err instanceof OidcRefusal) throw err;
      throw new OidcRefusal(reasonOf(err));
    }
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim '${err.claim}' check failed (${err.reason})`;
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'signed by a key the identity provider does not publish';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm not accepted';
  if (err instanceof joseErrors.JWKSTimeout) return 'identity provider key set timed out';
  return `invalid token (${(err as Error).message})`;
}
