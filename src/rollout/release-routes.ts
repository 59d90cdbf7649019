// REST route for releasing an app version (canary or full); the CLI command is in release-commands.ts.
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../http/route.js';
import type { Releases } from './release.js';
import { LIFECYCLE_STATES } from '../apps/lifecycle-states.js';

export function releaseRoutes(releases: Releases): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/apps/:app/release',
      summary: 'Release an approved app version (or start a canary)',
      response: z.object({
        app: z.string(),
        version: z.number().int(),
        state: z.enum(LIFECYCLE_STATES),
        retired: z.array(z.number().int()).describe('versions that left service (still known-good for rollback)'),
      }),
      tag: 'rollout',
      access: 'authenticated',
      body: z
        .object({
          version: z.number().int().positive().optional(),
          canary: z.boolean().default(false),
          reason: z.string().min(1).default('release'),
        })
        .strict(),
      handler: async ({ params, body, principal }) =>
        releases.release({
          app: params.app,
          version: body.version,
          canary: body.canary,
          actor: principal,
          reason: body.reason,
        }),
    }),
  ];
}
