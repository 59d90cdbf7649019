// REST routes of apps: submit a manifest with its code, list apps, read versions, diff two versions.
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import type { AppService } from './app-service.js';
import { LIFECYCLE_STATES, manifestSchema } from './manifest-schema.js';
import {
  appDetailSchema,
  appDiffSchema,
  appListResponseSchema,
  appVersionSchema,
  submitResponseSchema,
  versionSummarySchema,
} from './app-api-schemas.js';

const versionParam = (raw: string, field: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidInputError(`${field} must be a version number (1, 2, ...), got '${raw}'.`, [
      { path: field, message: 'expected a positive integer' },
    ]);
  return n;
};

export function summarizeVersion(v: {
  app: string;
  version: number;
  hash: string;
  state: string;
  submittedBy: string;
  createdAt: number;
}) {
  return {
    app: v.app,
    version: v.version,
    hash: v.hash,
    state: v.state,
    submittedBy: v.submittedBy,
    createdAt: new Date(v.createdAt).toISOString(),
  };
}

/** What the apps routes show from other features, passed in by the composition root. */
export interface AppRouteExtras {
  /** Who rejected a version and why, for `latest.rejection` (approvals). */
  rejectionOf?(app: string, version: number): Promise<unknown>;
}

export function appRoutes(apps: AppService, extras: AppRouteExtras = {}): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/apps',
      summary: 'Submit an app manifest and its code',
      response: submitResponseSchema,
      tag: 'apps',
      access: ['creator', 'admin'],
      body: z.object({ manifest: z.unknown(), code: z.record(z.string(), z.string()).default({}) }).strict(),
      handler: async ({ body, principal, c }) => {
        const r = await apps.submit(body.manifest, body.code, principal);
        c.status(r.created ? 201 : 200);
        return { created: r.created, ...summarizeVersion(r.version), admission: r.admission ?? null };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/apps',
      summary: 'List apps (all of them, or one page with limit/after)',
      response: appListResponseSchema,
      tag: 'apps',
      access: 'authenticated',
      query: z.object({
        limit: z.coerce
          .number({ error: 'limit must be a number' })
          .int('limit must be an integer')
          .min(1, 'limit must be at least 1')
          .max(500, 'limit must be at most 500')
          .optional(),
        after: z.string().optional(),
        q: z.string().max(200, 'keep q under 200 characters').optional(),
        state: z.enum(LIFECYCLE_STATES, { error: `state must be one of: ${LIFECYCLE_STATES.join(', ')}` }).optional(),
      }),
      // Not strict: other query parameters were ignored before paging existed and still are.
      // Without limit the answer is every app, as before; with it, one keyset page and `next`.
      handler: async ({ query }) =>
        query.limit === undefined && !query.q && !query.state && query.after === undefined
          ? { items: await apps.list() }
          : apps.page({ limit: query.limit ?? 50, after: query.after, q: query.q, state: query.state }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/apps/:app',
      summary: 'Show an app',
      response: appDetailSchema,
      tag: 'apps',
      access: 'authenticated',
      handler: async ({ params }) => {
        const latest = await apps.requireVersion(params.app);
        const versions = await apps.listVersions(params.app);
        const force = await apps.inForce(params.app);
        const rejection =
          latest.state === 'rejected' ? await extras.rejectionOf?.(latest.app, latest.version) : undefined;
        return {
          name: params.app,
          owner: latest.manifest.metadata.owner,
          inForce: force?.version ?? null,
          latest: { ...summarizeVersion(latest), manifest: latest.manifest, ...(rejection ? { rejection } : {}) },
          versions: versions.map(summarizeVersion),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/apps/:app/versions',
      summary: 'List the versions of an app',
      response: z.object({ items: z.array(versionSummarySchema) }),
      tag: 'apps',
      access: 'authenticated',
      handler: async ({ params }) => {
        await apps.requireVersion(params.app);
        return { items: (await apps.listVersions(params.app)).map(summarizeVersion) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/apps/:app/versions/:version',
      summary: 'Read one app version with manifest and code',
      response: appVersionSchema,
      tag: 'apps',
      access: 'authenticated',
      handler: async ({ params }) => apps.requireVersion(params.app, versionParam(params.version, 'version')),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/apps/:app/diff',
      summary: 'Diff two versions of an app',
      response: appDiffSchema,
      tag: 'apps',
      access: 'authenticated',
      query: z.object({ from: z.string(), to: z.string() }),
      handler: async ({ params, query }) =>
        apps.diff(params.app, versionParam(query.from, 'from'), versionParam(query.to, 'to')),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/schema/manifest',
      summary: 'JSON Schema of the app manifest',
      response: z.object({}).loose().describe('JSON Schema (draft 2020-12) of the manifest'),
      tag: 'apps',
      access: 'public',
      handler: async () => z.toJSONSchema(manifestSchema, { io: 'input' }),
    }),
  ];
}
