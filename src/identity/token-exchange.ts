// Workload identity: a CI job's OIDC token, matched against catalog TrustPolicy documents (issuer, audience,
// subject pattern), is exchanged for a short-lived Gatehouse token acting as the policy's user with at most its
// allowed actions (RFC 8693 token exchange). Every exchange, allowed or refused, goes to the audit log.
import { decodeJwt } from 'jose';
import type { Clock } from '../core/clock.js';
import { parseDuration } from '../core/duration.js';
import type { Logger } from '../core/logger.js';
import type { AuditSink } from '../core/sinks.js';
import { MAX_EXCHANGE_TTL_MS, type CatalogReader, type TrustPolicyDoc } from '../catalog/catalog-schema.js';
import { OidcRefusal, OidcVerifier } from './oidc-verifier.js';
import { SCOPES, type Scope } from './scopes.js';
import type { TokenService } from './token-service.js';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_TYPES = ['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:id_token'];

export interface ExchangeRequest {
  grant_type?: string;
  subject_token?: string;
  subject_token_type?: string;
  /** Space-separated scopes to narrow the policy's allowed actions. */
  scope?: string;
}

/** RFC 8693 section 2.2.1 response. */
export interface ExchangeResponse {
  access_token: string;
  issued_token_type: 'urn:ietf:params:oauth:token-type:access_token';
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** RFC 6749 section 5.2 error, with the reason (also audited). */
export class ExchangeRefusal extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_grant' | 'invalid_scope' | 'unsupported_grant_type',
    message: string,
  ) {
    super(message);
  }
}

/** `*` matches any run of characters; everything else literally; the whole subject must match. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const re = pattern
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}$`, 's').test(subject);
}

export class TokenExchange {
  private readonly verifiers = new Map<string, OidcVerifier>();

  constructor(
    private readonly d: {
      catalog: CatalogReader;
      tokens: TokenService;
      audit: AuditSink;
      clock: Clock;
      logger: Logger;
      jwksCooldownMs?: number;
    },
  ) {}

  async exchange(req: ExchangeRequest): Promise<ExchangeResponse> {
    let seen: { issuer?: string; subject?: string; policy?: string } = {};
    try {
      const out = await this.decide(req, (s) => (seen = { ...seen, ...s }));
      await this.record('allowed', seen, { user: out.user, scopes: out.scopes, tokenId: out.tokenId });
      return out.response;
    } catch (err) {
      if (!(err instanceof ExchangeRefusal)) throw err;
      this.d.logger.warn('token exchange refused', { reason: err.message, ...seen });
      await this.record('refused', seen, { reason: err.message });
      throw err;
    }
  }

  private async decide(
    req: ExchangeRequest,
    note: (s: { issuer?: string; subject?: string; policy?: string }) => void,
  ) {
    if (req.grant_type !== TOKEN_EXCHANGE_GRANT)
      throw new ExchangeRefusal('unsupported_grant_type', `grant_type must be ${TOKEN_EXCHANGE_GRANT}`);
    if (!req.subject_token) throw new ExchangeRefusal('invalid_request', 'subject_token is required');
    if (!req.subject_token_type || !JWT_TYPES.includes(req.subject_token_type))
      throw new ExchangeRefusal('invalid_request', `subject_token_type must be one of ${JWT_TYPES.join(', ')}`);
    let iss: unknown;
    try {
      iss = decodeJwt(req.subject_token).iss;
    } catch {
      throw new ExchangeRefusal('invalid_request', 'subject_token is not a JWT');
    }
    // Only issuers some TrustPolicy names are ever contacted: a token cannot make us fetch keys from anywhere else.
    const candidates = this.d.catalog.list('TrustPolicy').filter((p) => p.spec.issuer === iss);
    if (typeof iss === 'string') note({ issuer: iss.slice(0, 200) });
    if (!candidates.length) throw new ExchangeRefusal('invalid_grant', `no TrustPolicy trusts issuer '${String(iss)}'`);

    let verifiedSub: string | undefined;
    let match: TrustPolicyDoc | undefined;
    const reasons: string[] = [];
    for (const audience of new Set(candidates.map((p) => p.spec.audience))) {
      try {
        const claims = await this.verifier(String(iss), audience).verify(req.subject_token);
        verifiedSub = claims.sub;
        note({ subject: claims.sub });
        match = candidates.find((p) => p.spec.audience === audience && subjectMatches(p.spec.subject, claims.sub));
        if (match) break;
      } catch (err) {
        if (!(err instanceof OidcRefusal)) throw err;
        reasons.push(err.message);
      }
    }
    if (verifiedSub === undefined)
      throw new ExchangeRefusal('invalid_grant', `subject_token refused: ${reasons.join('; ')}`);
    if (!match)
      throw new ExchangeRefusal('invalid_grant', `subject '${verifiedSub}' matches no TrustPolicy for this issuer`);
    note({ policy: match.metadata.name });

    const asked = (req.scope ?? '').split(/\s+/).filter(Boolean) as Scope[];
    // No scope (or a blank one) asks for everything the policy allows.
    const requested = asked.length ? asked : match.spec.allowedActions;
    const bad = requested.filter((s) => !SCOPES.includes(s) || !match.spec.allowedActions.includes(s));
    if (bad.length)
      throw new ExchangeRefusal(
        'invalid_scope',
        `TrustPolicy '${match.metadata.name}' allows ${match.spec.allowedActions.join(', ')}; not ${bad.join(', ')}`,
      );
    // Also capped here: a TrustPolicy stored before the schema refused lifetimes over 1h is not checked again.
    const ttl = Math.min(parseDuration(match.spec.ttl, 'spec.ttl'), MAX_EXCHANGE_TTL_MS);
    let made;
    try {
      made = await this.d.tokens.create(
        { user: match.spec.actAs.user, scopes: requested, ttl },
        { user: `trust-policy:${match.metadata.name}`, roles: ['admin'], groups: [], scopes: [...SCOPES] },
      );
    } catch (err) {
      throw new ExchangeRefusal('invalid_grant', `cannot act as '${match.spec.actAs.user}': ${(err as Error).message}`);
    }
    return {
      user: made.user,
      scopes: made.scopes,
      tokenId: made.tokenId,
      response: {
        access_token: made.token,
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' as const,
        token_type: 'Bearer' as const,
        expires_in: Math.round(ttl / 1000),
        scope: made.scopes.join(' '),
      },
    };
  }

  private verifier(issuer: string, audience: string): OidcVerifier {
    const key = `${issuer}\n${audience}`;
    let v = this.verifiers.get(key);
    if (!v) {
      v = new OidcVerifier({
        issuer,
        audience,
        algorithms: ['RS256', 'ES256'],
        clock: this.d.clock,
        jwksCooldownMs: this.d.jwksCooldownMs,
      });
      this.verifiers.set(key, v);
    }
    return v;
  }

  private async record(outcome: string, seen: Record<string, unknown>, data: Record<string, unknown>): Promise<void> {
    await this.d.audit.append({
      type: 'auth.exchange',
      actor: typeof seen.subject === 'string' ? `workload:${seen.subject}` : 'workload:unverified',
      data: { outcome, ...seen, ...data },
    });
  }
}
