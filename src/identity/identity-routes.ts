// REST routes of identity: who am I, and API tokens for catalog users (admins mint them).
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { parseDuration } from '../core/duration.js';
import type { TokenService } from './token-service.js';

export function identityRoutes(tokens: TokenService): AnyRoute[] {
  return [
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
      summary: 'Create an API token for a user',
      tag: 'identity',
      access: ['admin'],
      successStatus: 201,
      body: z.object({ user: z.string().min(1), ttl: z.string().optional() }).strict(),
      handler: async ({ body, principal }) =>
        tokens.create(body.user, principal.user, body.ttl ? parseDuration(body.ttl, 'ttl') : undefined),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/tokens/:id',
      summary: 'Revoke an API token',
      tag: 'identity',
      access: ['admin'],
      handler: async ({ params, principal }) => {
        await tokens.revoke(params.id, principal.user);
        return { revoked: params.id };
      },
    }),
  ];
}
