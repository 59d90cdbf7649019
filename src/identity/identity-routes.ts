// REST routes of identity: who am I, and API tokens (one's own; admins mint for anyone and may mint `never`).
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { parseDuration } from '../core/duration.js';
import { UnavailableError } from '../core/errors.js';
import { hasAnyRole } from './principal.js';
import { SCOPES, scopeAllows } from './scopes.js';
import type { TokenService } from './token-service.js';
import type { OidcFeature } from './create-oidc.js';

export function identityRoutes(tokens: TokenService, oidc?: OidcFeature): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/auth/config',
      summary: 'Show how to sign in (the OIDC issuer and client the CLI uses)',
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
      tag: 'identity',
      access: 'authenticated',
      handler: async ({ principal }) => principal,
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/tokens',
      summary: 'Create an API token (for yourself; admins for any user)',
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
      tag: 'identity',
      access: 'authenticated',
      handler: async ({ params, principal }) => {
        await tokens.revoke(params.id, principal);
        return { revoked: params.id };
      },
    }),
  ];
}
