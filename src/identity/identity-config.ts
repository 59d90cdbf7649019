// Configuration of identity: API token defaults and the OpenID Connect identity provider (docs/identity.md).
import { z } from 'zod';
import { ROLES } from './principal.js';

const roleRule = z
  .object({
    /** Claim to read: `groups`, `roles`, `email_domain` (derived from `email`), or any claim name. */
    claim: z.string().min(1),
    /** Value the claim must equal (or contain, for array claims). */
    value: z.string().min(1),
    roles: z.array(z.enum(ROLES)).default([]),
    groups: z.array(z.string().min(1)).default([]),
  })
  .strict();

export const oidcConfigSchema = z
  .object({
    /** Issuer URL; `<issuer>/.well-known/openid-configuration` is read at start for the JWKS URI and endpoints. */
    issuer: z.url(),
    /** The `aud` access tokens must carry (often the API's client id or identifier URI). */
    audience: z.string().min(1),
    /** Client id the CLI uses for the device authorization grant (`gatehouse login`). */
    clientId: z.string().min(1).optional(),
    /** Browser sign-in (/auth/login): the web client, its secret if confidential, and the registered callback. */
    web: z
      .object({
        clientId: z.string().min(1),
        clientSecret: z.string().min(1).optional(),
        /** https://gatehouse.example.com/auth/callback; derived from the request when absent (set it in production). */
        redirectUri: z.url().optional(),
        /** Lifetime of a browser session. */
        sessionTtl: z.string().default('8h'),
      })
      .strict()
      .optional(),
    /** Claim that names the catalog user; its value is lowercased and cut to a catalog name. */
    usernameClaim: z.string().default('preferred_username'),
    /** Claims to Gatehouse roles and catalog groups; a user matching no rule signs in with no roles. */
    roleMapping: z.array(roleRule).default([]),
    /** Least time between two key-set refetches caused by unknown key ids (guards the IdP against floods). */
    jwksCooldownMs: z.number().int().min(0).default(30_000),
    /** Signing algorithms accepted (never `none`). */
    algorithms: z
      .array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA']))
      .default(['RS256', 'ES256']),
  })
  .strict();

export type OidcConfig = z.output<typeof oidcConfigSchema>;
export type RoleRule = z.output<typeof roleRule>;

export const identityConfigSchema = z
  .object({
    tokens: z
      .object({
        /** Expiry of API tokens created without --ttl. `--ttl never` is for admins only and audited. */
        defaultTtl: z.string().default('30d'),
      })
      .strict()
      .prefault({}),
    oidc: oidcConfigSchema.optional(),
    /** Workload token exchange (POST /api/v1/auth/exchange); trust itself lives in catalog TrustPolicy documents. */
    exchange: z
      .object({
        /** Least time between two key-set refetches of a workload issuer caused by unknown key ids. */
        jwksCooldownMs: z.number().int().min(0).default(30_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type IdentityConfig = z.output<typeof identityConfigSchema>;
