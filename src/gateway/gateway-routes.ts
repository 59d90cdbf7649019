// Management API of the gateway under /api/v1: app keys (and /api/v1/keys), session tokens, cost attribution.
import { z } from 'zod';
import type { AppReader } from '../apps/manifest-schema.js';
import { parseSince } from '../core/duration.js';
import { InvalidInputError, NotFoundError } from '../core/errors.js';
import { assertAppManager } from '../apps/app-ownership.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { hasAnyRole, type Principal } from '../identity/principal.js';
import { COST_GROUPS, type CostLedger } from './cost-ledger.js';
import type { Credentials } from './credentials.js';
import { keyInfoSchema, keyOptionsSchema, keyRoutes } from './key-routes.js';

const appKeySchema = keyInfoSchema;
const costLineSchema = z.object({
  key: z.string(),
  requests: z.number(),
  tokensIn: z.number(),
  tokensOut: z.number(),
  costUsd: z.number(),
});

export interface GatewayRouteDeps {
  credentials: Credentials;
  ledger: CostLedger;
  apps: AppReader;
}

export function gatewayRoutes(d: GatewayRouteDeps, now: () => number): AnyRoute[] {
  async function requireOwner(p: Principal, app: string): Promise<void> {
    const v = await d.apps.latestVersion(app);
    if (!v) throw new NotFoundError('App', app, 'submit its manifest first with `gatehouse app submit`');
    assertAppManager(p, v.manifest, 'manage the keys and sessions of', []);
  }
  return [
    ...keyRoutes({ credentials: d.credentials, apps: d.apps }),
    defineRoute({
      method: 'post',
      path: '/api/v1/apps/:app/keys',
      summary: 'Create an app key for the model gateway',
      response: appKeySchema.extend({ key: z.string().describe('the secret, shown once') }),
      tag: 'gateway',
      access: ['creator', 'admin'],
      successStatus: 201,
      body: keyOptionsSchema.strict(),
      handler: async ({ principal, params, body }) => {
        await requireOwner(principal, params.app);
        const { env, ...opts } = body;
        return d.credentials.createKey(params.app, env, principal.user, opts);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/apps/:app/keys',
      summary: 'List the app keys of an app (never the secrets)',
      response: z.object({ keys: z.array(appKeySchema) }),
      tag: 'gateway',
      access: ['creator', 'admin', 'security', 'auditor'],
      handler: async ({ principal, params }) => {
        // Key ids name what to revoke and trace; a creator sees only the keys of apps they manage.
        if (!hasAnyRole(principal, ['security', 'auditor'])) await requireOwner(principal, params.app);
        return { keys: await d.credentials.listKeys(params.app) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/apps/:app/keys/:id',
      summary: 'Revoke an app key',
      response: appKeySchema,
      tag: 'gateway',
      access: ['creator', 'admin', 'security'],
      handler: async ({ principal, params }) => {
        if (!hasAnyRole(principal, ['security'])) await requireOwner(principal, params.app);
        return d.credentials.revokeKey(params.app, params.id);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/sessions',
      summary: 'Mint a short-lived gateway session token for an app user',
      response: z.object({
        token: z.string().describe('shown once'),
        sessionId: z.string(),
        app: z.string(),
        version: z.number().int(),
        user: z.string(),
        expiresAt: z.number(),
      }),
      tag: 'gateway',
      access: ['creator', 'admin'],
      successStatus: 201,
      body: z
        .object({
          app: z.string().min(1),
          user: z.string().min(1),
          ttl: z.union([z.string(), z.number().int().positive()]).default('15m'),
        })
        .strict(),
      handler: async ({ principal, body }) => {
        await requireOwner(principal, body.app);
        return d.credentials.createSession(body.app, body.user, body.ttl);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/costs',
      summary: 'Report model spend by model, app, user, day, key or team',
      response: z.object({ by: z.enum(COST_GROUPS), lines: z.array(costLineSchema), total: costLineSchema }),
      tag: 'gateway',
      access: ['creator', 'admin', 'security', 'auditor'],
      query: z
        .object({
          app: z.string().optional(),
          user: z.string().optional(),
          key: z.string().optional(),
          team: z.string().optional(),
          since: z.string().optional(),
          by: z.enum(COST_GROUPS).optional(),
        })
        .strict(),
      handler: async ({ principal, query }) => {
        if (!hasAnyRole(principal, ['security', 'auditor'])) {
          if (!query.app)
            throw new InvalidInputError('Creators see the costs of their own apps only: pass app=<name> (--app).', [
              { path: 'app', message: 'required for creators' },
            ]);
          await requireOwner(principal, query.app);
        }
        return d.ledger.query({
          app: query.app,
          user: query.user,
          key: query.key,
          team: query.team,
          since: query.since ? parseSince(query.since, now()) : undefined,
          by: query.by,
        });
      },
    }),
  ];
}
