// REST routes of canary releases (start, status, promote, abort) and `dataset obfuscate`; the CLI is canary-commands.ts.
import { z } from 'zod';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { Clock } from '../core/clock.js';
import { NotFoundError } from '../core/errors.js';
import type { AuditSink } from '../core/sinks.js';
import type { DataSources } from '../data/data-sources.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import type { CanaryService } from './canary-service.js';
import { canaryPolicySchema, parseCanaryPolicy } from './canary-policy.js';
import { obfuscateDataset } from './obfuscate.js';

/** CanaryStatus (canary-service.ts): the canary record and every stage verdict; the analysis numbers are open. */
const canaryStatusSchema = z.object({
  canary: z.object({
    id: z.string(),
    app: z.string(),
    candidate: z.number().int(),
    baseline: z.number().int(),
    state: z.enum(['running', 'paused', 'promoted', 'aborted']),
    stage: z.number().int(),
    stageStartedAt: z.number(),
    policy: canaryPolicySchema,
    actor: z.string(),
    startedAt: z.number(),
    endedAt: z.number().optional(),
    endReason: z.string().optional(),
    snapshotId: z.string().optional(),
  }),
  verdicts: z.array(
    z.object({
      id: z.string(),
      canaryId: z.string(),
      stage: z.number().int(),
      verdict: z.enum(['pass', 'fail', 'inconclusive']),
      analysis: z.object({}).loose(),
      decidedAt: z.number(),
    }),
  ),
});
const obfuscatedSchema = z.object({
  dataset: z.string(),
  copyId: z.string(),
  path: z.string(),
  table: z.string(),
  rows: z.number().int(),
  columns: z.array(z.string().describe('name:kind of each faked column')),
});

const reason = z.object({ reason: z.string().min(1).default('manual') }).strict();

export function canaryRoutes(
  canary: CanaryService,
  obf: { catalog: CatalogReader; home: string; sources?: DataSources; audit: AuditSink; clock: Clock },
): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/apps/:app/canary',
      summary: 'Start a canary of an approved version: replay on obfuscated data, then live stages, gated by analysis',
      response: canaryStatusSchema,
      tag: 'rollout',
      access: 'authenticated',
      body: z.object({ version: z.number().int().positive().optional(), policy: z.unknown().optional() }).strict(),
      handler: async ({ params, body, principal }) =>
        canary.start({
          app: params.app,
          version: body.version,
          policy: body.policy === undefined ? undefined : parseCanaryPolicy(body.policy),
          actor: principal,
        }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/apps/:app/canary',
      summary: "The app's latest canary: state, stage and every stage verdict with its numbers and statistics",
      response: canaryStatusSchema,
      tag: 'rollout',
      access: 'authenticated',
      handler: async ({ params }) => canary.status(params.app),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/apps/:app/canary/promote',
      summary: 'Promote the running (or paused) canary to released now',
      response: canaryStatusSchema,
      tag: 'rollout',
      access: 'authenticated',
      body: reason,
      handler: async ({ params, body, principal }) =>
        canary.promote({ app: params.app, actor: principal, reason: body.reason }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/apps/:app/canary/abort',
      summary: 'Abort the canary: forensic snapshot, candidate rolled back, owner notified',
      response: canaryStatusSchema,
      tag: 'rollout',
      access: 'authenticated',
      body: reason,
      handler: async ({ params, body, principal }) =>
        canary.abort({ app: params.app, actor: principal, reason: body.reason }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/datasets/:name/obfuscate',
      summary: "Write an obfuscated copy of a dataset's table (format-preserving fakes for pii/regulated columns)",
      response: obfuscatedSchema,
      tag: 'data',
      access: ['data_owner', 'security'],
      handler: async ({ params, principal }) => {
        const doc = obf.catalog.dataset(params.name);
        if (!doc) throw new NotFoundError('Dataset', params.name, 'see `gatehouse catalog list dataset`');
        const copy = await obfuscateDataset(doc, { home: obf.home, sources: obf.sources, now: obf.clock.now() });
        const columns = copy.columns.filter((c) => c.kind).map((c) => `${c.name}:${c.kind}`);
        await obf.audit.append({
          type: 'dataset.obfuscated',
          actor: principal.user,
          ids: {},
          data: { dataset: doc.metadata.name, copyId: copy.copyId, rows: copy.rows, columns },
        });
        return {
          dataset: copy.dataset,
          copyId: copy.copyId,
          path: copy.path,
          table: copy.table,
          rows: copy.rows,
          columns,
        };
      },
    }),
  ];
}
