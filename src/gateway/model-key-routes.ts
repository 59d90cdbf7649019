// Management API for provider keys: set (PUT, admin), remove, list (names, who set them, when, fingerprint).
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../http/route.js';
import type { ModelKeys } from './model-keys.js';

const infoSchema = z.object({
  model: z.string(),
  setBy: z.string(),
  setAt: z.number(),
  fingerprint: z.string(),
  overriddenByEnv: z.boolean(),
});

export function modelKeyRoutes(keys: ModelKeys): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/model-keys',
      summary: 'List the stored provider keys (model, who set it, when, fingerprint; never the key)',
      response: z.object({ keys: z.array(infoSchema) }),
      tag: 'gateway',
      access: ['admin', 'security', 'auditor'],
      handler: async () => ({ keys: await keys.list() }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/v1/model-keys/:model',
      summary: "Set or rotate a model's provider key (sealed at rest; every replica uses it from the next call)",
      response: infoSchema,
      tag: 'gateway',
      access: ['admin'],
      // The key's length and shape are checked by ModelKeys, whose errors never echo it.
      body: z.object({ key: z.string() }).strict(),
      handler: async ({ principal, params, body }) => keys.set(params.model, body.key, principal.user),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/model-keys/:model',
      summary: "Remove a model's stored provider key",
      response: z.object({ model: z.string(), removed: z.boolean() }),
      tag: 'gateway',
      access: ['admin'],
      handler: async ({ principal, params }) => keys.remove(params.model, principal.user),
    }),
  ];
}
