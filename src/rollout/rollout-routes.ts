// REST routes of rollout: kill switches, caps, flags, rollback and forensic snapshots.
import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import type { Environment } from '../core/governance.js';
import { NotFoundError, UnavailableError } from '../core/errors.js';
import { assertAppManager } from '../apps/app-ownership.js';
import { hasAnyRole } from '../identity/principal.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import type { RolloutService } from './rollout-service.js';
import { parseScope } from './scopes.js';
import {
  capRecordSchema,
  flagSchema,
  killRecordSchema,
  killResponseSchema,
  liftResponseSchema,
  rollbackRecordSchema,
  snapshotSchema,
  snapshotSummarySchema,
} from './rollout-api-schemas.js';

const reason = z.string().trim().min(3, 'say why (at least 3 characters)').max(500);
const scopeBody = z.object({ scope: z.string().min(1), id: z.string().min(1), reason }).strict();
const OPERATORS = ['security', 'data_owner'] as const;

export function rolloutRoutes(svc: RolloutService): AnyRoute[] {
  const { kills, caps, flags, snapshots } = svc.parts;
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/kills',
      summary: 'Set a kill switch',
      response: killResponseSchema,
      tag: 'rollout',
      access: OPERATORS,
      body: scopeBody,
      successStatus: 201,
      handler: async ({ body, principal }) =>
        svc.kill({ scope: parseScope(body.scope), target: body.id, reason: body.reason, actor: principal.user }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/kills/lift',
      summary: 'Approve lifting a kill switch',
      response: liftResponseSchema,
      tag: 'rollout',
      access: OPERATORS,
      body: scopeBody,
      handler: async ({ body, principal }) =>
        kills.lift({ scope: parseScope(body.scope), target: body.id, reason: body.reason, actor: principal.user }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/kills',
      summary: 'List kill switches in force',
      response: z.object({ kills: z.array(killRecordSchema) }),
      tag: 'rollout',
      access: 'authenticated',
      handler: async () => ({ kills: kills.list() }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/caps',
      summary: 'Set a temporary cap',
      response: capRecordSchema,
      tag: 'rollout',
      access: OPERATORS,
      body: z
        .object({
          scope: z.string().min(1),
          id: z.string().min(1),
          reason,
          limits: z.record(z.string(), z.number().nonnegative()),
          fallback: z.boolean().default(false),
          duration: z.string().default('1h'),
        })
        .strict(),
      successStatus: 201,
      handler: async ({ body, principal }) =>
        caps.set({
          scope: parseScope(body.scope),
          target: body.id,
          limits: body.limits,
          fallback: body.fallback,
          durationMs: parseDuration(body.duration, 'duration'),
          reason: body.reason,
          actor: principal.user,
        }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/caps/lift',
      summary: 'Lift a temporary cap',
      response: z.object({ lifted: z.boolean() }),
      tag: 'rollout',
      access: OPERATORS,
      body: scopeBody,
      handler: async ({ body, principal }) => ({
        lifted: await caps.lift(parseScope(body.scope), body.id, principal.user, body.reason),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/caps',
      summary: 'List temporary caps in force',
      response: z.object({ caps: z.array(capRecordSchema) }),
      tag: 'rollout',
      access: 'authenticated',
      handler: async () => ({ caps: caps.list() }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/flags',
      summary: 'List rollout flags',
      response: z.object({ flags: z.array(flagSchema) }),
      tag: 'rollout',
      access: 'authenticated',
      query: z.object({ app: z.string().optional() }),
      handler: async ({ query }) => ({ flags: flags.list(query.app) }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/v1/flags/:app/:environment',
      summary: 'Change an app rollout flag',
      response: flagSchema,
      tag: 'rollout',
      access: ['security', 'creator'],
      body: z
        .object({
          enabled: z.boolean().optional(),
          percentage: z.number().min(0).max(100).optional(),
          groups: z.array(z.string().min(1)).optional(),
        })
        .strict(),
      handler: async ({ body, params, principal }) => {
        if (!hasAnyRole(principal, ['security'])) {
          const v = await svc.parts.apps?.latestVersion(params.app);
          if (!v) throw new NotFoundError('App', params.app, 'see `gatehouse app list`');
          assertAppManager(principal, v.manifest, 'change the rollout flags of', ['security']);
        }
        // flags.set validates the environment (400 naming the allowed ones)
        return flags.set({
          app: params.app,
          environment: params.environment as Environment,
          ...body,
          actor: principal.user,
        });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/apps/:app/rollback',
      summary: 'Roll an app back to its last known-good version',
      response: rollbackRecordSchema,
      tag: 'rollout',
      access: OPERATORS,
      body: z.object({ to: z.number().int().positive().optional(), reason }).strict(),
      handler: async ({ body, params, principal }) => {
        if (!svc.parts.rollback)
          throw new UnavailableError('Rollback is not available: the apps lifecycle is not wired on this server.');
        return svc.parts.rollback.rollback({
          app: params.app,
          to: body.to,
          reason: body.reason,
          actor: principal.user,
          cause: 'manual',
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/apps/:app/rollbacks',
      summary: 'List rollbacks of an app',
      response: z.object({ rollbacks: z.array(rollbackRecordSchema) }),
      tag: 'rollout',
      access: 'authenticated',
      handler: async ({ params }) => ({ rollbacks: (await svc.parts.rollback?.history(params.app)) ?? [] }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/snapshots',
      summary: 'List forensic snapshots',
      response: z.object({ snapshots: z.array(snapshotSummarySchema) }),
      tag: 'rollout',
      access: ['auditor', 'security', 'data_owner'],
      query: z.object({ app: z.string().optional(), limit: z.coerce.number().int().positive().max(1000).optional() }),
      handler: async ({ query }) => ({ snapshots: await snapshots.list(query.app, query.limit) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/snapshots/:id',
      summary: 'Read a forensic snapshot',
      response: snapshotSchema,
      tag: 'rollout',
      access: ['auditor', 'security', 'data_owner'],
      handler: async ({ params }) => snapshots.get(params.id),
    }),
  ];
}
