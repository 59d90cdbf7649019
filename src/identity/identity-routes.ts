// REST routes of identity: who am I, and API tokens (one's own; admins mint for anyone and may mint `never`).
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { parseDuration } from '../core/duration.js';
import { UnavailableError } from '../core/errors.js';
import { hasAnyRole, ROLES } from './principal.js';
import { SCOPES, scopeAllows } from './scopes.js';
import type { TokenService } from './token-service.js';
import type { OidcFeature } from './create-oidc.js';

const scopes = z.array(z.enum(SCOPES));
const principalSchema = z.object({
  user: z.string(),
  roles: z.array(z.enum(ROLES)),
  groups: z.array(z.string()),
  scopes: scopes.optional().describe('absent: unrestricted (bootstrap admin token, IdP tokens)'),
  via: z.string().optional(),
});
const tokenInfoSchema = z.object({
  tokenId: z.string(),
  user: z.string(),
  scopes,
  createdAt: z.number(),
  createdBy: z.string(),
  expiresAt: z.number().nullable(),
  lastUsedAt: z.number().nullable(),
  revoked: z.boolean(),
});
const authConfigSchema = z.object({
  oidc: z
    .object({
      issuer: z.string(),
      audience: z.string(),
      clientId: z.string().nullable(),
      deviceAuthorizationEndpoint: z.string().nullable(),
      tokenEndpoint: z.string().nullable(),
    })
    .nullable(),
});

export function identityRoutes(tokens: TokenService, oidc?: OidcFeature): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/auth/config',
      summary: 'Show how to sign in (the OIDC issuer and client the CLI uses)',
      response: authConfigSchema,
      tag: 'identity',
      access: 'public',
      handler: async () => {
        if (!oidc) return { oidc: null };
        const meta = await oidc.verifier.metadata().catch((err: Error) => {
          throw new UnavailableError(
            `The identity provider ${oidc.config.issuer} did not answer discovery: ${err.message}`,
          );
        });
        return {
          oidc: {
            issuer: oidc.config.issuer,
            audience: oidc.config.audience,
            clientId: oidc.config.clientId ?? null,
            deviceAuthorizationEndpoint: meta.device_authorization_endpoint ?? null,
            tokenEndpoint: meta.token_endpoint ?? null,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/whoami',
      summary: 'Show the calling user',
      response: principalSchema,
      tag: 'identity',
      access: 'authenticated',
      handler: async ({ principal }) => principal,
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/tokens',
      summary: 'Create an API token (for yourself; admins for any user)',
      response: z.object({
        token: z.string().describe('shown once'),
        tokenId: z.string(),
        user: z.string(),
        scopes,
        expiresAt: z.number().nullable(),
      }),
      tag: 'identity',
      access: 'authenticated',
      successStatus: 201,
      body: z
        .object({
          user: z.string().min(1).optional(),
          ttl: z.string().optional(),
          scopes: z.array(z.enum(SCOPES)).optional(),
        })
        .strict(),
      handler: async ({ body, principal }) =>
        tokens.create(
          {
            user: body.user ?? principal.user,
            scopes: body.scopes,
            ttl: body.ttl === undefined ? undefined : body.ttl === 'never' ? 'never' : parseDuration(body.ttl, 'ttl'),
          },
          principal,
        ),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/tokens',
      summary: 'List your API tokens (admins: any user with ?user=)',
      response: z.object({ tokens: z.array(tokenInfoSchema) }),
      tag: 'identity',
      access: 'authenticated',
      query: z.object({ user: z.string().optional() }).strict(),
      handler: async ({ query, principal }) => {
        const admin = hasAnyRole(principal, ['admin']) && scopeAllows(principal.scopes, 'admin');
        const user = query.user && admin ? query.user : principal.user;
        return { tokens: await tokens.list(user) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/tokens/:id',
      summary: 'Revoke an API token (your own; admins any)',
      response: z.object({ revoked: z.string() }),
      tag: 'identity',
      access: 'authenticated',
      handler: async ({ params, principal }) => {
        await tokens.revoke(params.id, principal);
        return { revoked: params.id };
      },
    }),
  ];
}
