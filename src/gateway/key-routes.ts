// Management API of gateway keys under /api/v1/keys: create (app or service key), list, show, rotate, revoke.
// App keys are managed by the app's owner, maintainers or an admin; service keys (team or user) by admins.
import { z } from 'zod';
import type { AppReader } from '../apps/manifest-schema.js';
import { assertAppManager } from '../apps/app-ownership.js';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../core/errors.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { hasAnyRole, type Principal } from '../identity/principal.js';
import type { Credentials } from './credentials.js';
import type { KeyInfo } from './key-store.js';

const limitsSchema = z
  .object({
    models: z.array(z.string().min(1)).max(100).optional(),
    rpm: z.number().int().positive().optional(),
    tpm: z.number().int().positive().optional(),
    dailyUsd: z.number().positive().optional(),
    monthlyUsd: z.number().positive().optional(),
    cidrs: z.array(z.string().min(1)).max(100).optional(),
    apps: z.array(z.string().min(1)).max(100).optional(),
  })
  .strict();
const metadataSchema = z
  .object({
    team: z.string().min(1).max(128).optional(),
    costCenter: z.string().min(1).max(128).optional(),
    labels: z.record(z.string().max(64), z.string().max(256)).optional(),
  })
  .strict();

export const keyInfoSchema = z.object({
  id: z.string(),
  kind: z.enum(['app', 'service']),
  app: z.string().optional(),
  env: z.string().optional(),
  owner: z.string().optional(),
  name: z.string().optional(),
  createdBy: z.string(),
  createdAt: z.number(),
  expiresAt: z.number().optional().describe('absent: never expires'),
  rotatedAt: z.number().optional(),
  revokedAt: z.number().optional(),
  limits: limitsSchema,
  metadata: metadataSchema,
});

/** What every key takes at creation (the app key route adds nothing but the app in its path). */
export const keyOptionsSchema = z.object({
  env: z.enum(['dev', 'staging', 'prod']).optional(),
  name: z.string().min(1).max(128).optional(),
  ttl: z.string().min(1).optional().describe("90d (default), 12h, seconds, or 'never'"),
  limits: limitsSchema.optional(),
  metadata: metadataSchema.optional(),
});

const createSchema = keyOptionsSchema
  .extend({
    kind: z.enum(['app', 'service']).default('app'),
    app: z.string().min(1).optional(),
    team: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
  })
  .strict();

export interface KeyRouteDeps {
  credentials: Credentials;
  apps: AppReader;
}

export function keyRoutes(d: KeyRouteDeps): AnyRoute[] {
  const store = d.credentials.keys;
  /** App keys: the app's managers (admin always); service keys: admins, or security for `operator` actions. */
  async function mayManage(p: Principal, k: Pick<KeyInfo, 'kind' | 'app'>, operator = false): Promise<void> {
    if (hasAnyRole(p, operator ? ['security'] : [])) return;
    if (k.kind === 'service' || !k.app)
      throw new ForbiddenError(`Only an admin manages service keys; you are '${p.user}'.`);
    const v = await d.apps.latestVersion(k.app);
    if (!v) throw new NotFoundError('App', k.app, 'submit its manifest first with `gatehouse app submit`');
    assertAppManager(p, v.manifest, 'manage the keys of', []);
  }
  const readers = (p: Principal) => hasAnyRole(p, ['security', 'auditor']);
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/keys',
      summary: 'Create a gateway key: an app key, or a service key for a team or user (secret shown once)',
      response: keyInfoSchema.extend({ key: z.string().describe('the secret, shown once') }),
      tag: 'gateway',
      access: ['creator', 'admin'],
      successStatus: 201,
      body: createSchema,
      handler: async ({ principal, body }) => {
        if (body.kind === 'app' && !body.app)
          throw new InvalidInputError('An app key needs app (or use kind service with team or user).', [
            { path: 'app', message: 'required for kind app' },
          ]);
        await mayManage(principal, { kind: body.kind, app: body.app });
        return store.create(body, principal.user);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/keys',
      summary: 'List gateway keys (never their secrets)',
      response: z.object({ keys: z.array(keyInfoSchema) }),
      tag: 'gateway',
      access: ['creator', 'admin', 'security', 'auditor'],
      query: z
        .object({
          app: z.string().optional(),
          team: z.string().optional(),
          user: z.string().optional(),
          all: z.enum(['true', 'false']).optional(),
        })
        .strict(),
      handler: async ({ principal, query }) => {
        if (!readers(principal)) {
          if (!query.app)
            throw new InvalidInputError('Creators list the keys of their own apps only: pass app=<name> (--app).', [
              { path: 'app', message: 'required for creators' },
            ]);
          await mayManage(principal, { kind: 'app', app: query.app });
        }
        const keys = await store.list({
          app: query.app,
          team: query.team,
          owner: query.user ? `user:${query.user}` : undefined,
          includeRevoked: query.all === 'true',
        });
        return { keys };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/keys/:id',
      summary: 'Show a gateway key: limits, expiry, metadata (never its secret)',
      response: keyInfoSchema,
      tag: 'gateway',
      access: ['creator', 'admin', 'security', 'auditor'],
      handler: async ({ principal, params }) => {
        const k = await store.show(params.id);
        if (!readers(principal)) await mayManage(principal, k);
        return k;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/keys/:id/rotate',
      summary: 'Rotate a gateway key: a new secret; the old one stays valid for the grace period (default 0)',
      response: keyInfoSchema.extend({ key: z.string(), graceUntil: z.number().optional() }),
      tag: 'gateway',
      access: ['creator', 'admin', 'security'],
      body: z
        .object({ grace: z.string().optional().describe('e.g. 1h; default 0'), ttl: z.string().optional() })
        .strict(),
      handler: async ({ principal, params, body }) => {
        await mayManage(principal, await store.show(params.id), true);
        return store.rotate(params.id, body.grace, body.ttl);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/keys/:id',
      summary: 'Revoke a gateway key at once, on every replica',
      response: keyInfoSchema,
      tag: 'gateway',
      access: ['creator', 'admin', 'security'],
      handler: async ({ principal, params }) => {
        await mayManage(principal, await store.show(params.id), true);
        return store.revoke(params.id);
      },
    }),
  ];
}
