// REST routes of telemetry: alert rules (apply, list, history) and per-minute aggregates.
import { z } from 'zod';
import { parseYamlDocuments, type SourcedDocument } from '../core/yaml-documents.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import type { AlertEngine } from './alert-engine.js';
import { parseAlertRules } from './alert-rule-schema.js';
import type { AlertStore } from './alert-store.js';
import { AGGREGATE_DIMS, type MinuteAggregates } from './minute-aggregates.js';

const applyBody = z.union([
  z.object({ files: z.array(z.object({ name: z.string().min(1), content: z.string() }).strict()).min(1) }).strict(),
  z.object({ documents: z.array(z.unknown()).min(1) }).strict(),
]);

/** AlertFiring (alert-engine.ts); the triggering events and action outcomes are open objects here. */
const firingSchema = z
  .object({
    id: z.string(),
    rule: z.string(),
    groupBy: z.string(),
    groupKey: z.string(),
    app: z.string().optional(),
    firedAt: z.number(),
    firstEventAt: z.number(),
    summary: z.string(),
    observed: z.record(z.string(), z.number()),
    events: z.array(z.object({}).loose()),
    actions: z.array(z.object({}).loose()),
    containedAt: z.number().optional(),
    containMs: z.number().optional(),
    reactionMs: z.number().optional(),
    auditIndex: z.number().int().optional(),
  })
  .loose();
const aggregateRowSchema = z.object({
  minute: z.number(),
  dim: z.enum(AGGREGATE_DIMS),
  key: z.string(),
  kind: z.string(),
  metric: z.string(),
  total: z.number(),
  samples: z.number(),
});

const epoch = z.coerce.number().int().nonnegative();

export function telemetryRoutes(deps: {
  alerts: AlertEngine;
  store: AlertStore;
  aggregates: MinuteAggregates;
  now: () => number;
}): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/alerts/apply',
      summary: 'Apply alert rules',
      response: z.object({ applied: z.array(z.string()) }),
      tag: 'alerts',
      access: ['security'],
      body: applyBody,
      handler: async ({ body, principal }) => {
        const docs: SourcedDocument[] =
          'files' in body
            ? body.files.flatMap((f) => parseYamlDocuments(f.content, f.name))
            : body.documents.map((value, i) => ({ source: `document#${i + 1}`, value }));
        return { applied: await deps.alerts.apply(parseAlertRules(docs), principal.user) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/alerts',
      summary: 'List alert rules',
      // The rules as parsed (alertRuleSchema's output: durations already in ms), so the input schema does not fit them.
      response: z.object({
        rules: z.array(
          z
            .object({
              kind: z.literal('AlertRule'),
              metadata: z.object({ name: z.string() }).loose(),
              spec: z.object({}).loose(),
            })
            .loose(),
        ),
      }),
      tag: 'alerts',
      access: 'authenticated',
      handler: async () => ({ rules: deps.alerts.list() }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/alerts/history',
      summary: 'List alert firings',
      response: z.object({ firings: z.array(firingSchema) }),
      tag: 'alerts',
      access: 'authenticated',
      query: z.object({
        app: z.string().optional(),
        rule: z.string().optional(),
        limit: z.coerce.number().int().positive().max(1000).optional(),
      }),
      handler: async ({ query }) => ({ firings: await deps.store.history(query) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/telemetry/aggregates',
      summary: 'Read per-minute telemetry aggregates',
      response: z.object({ rows: z.array(aggregateRowSchema) }),
      tag: 'telemetry',
      access: ['auditor', 'security', 'data_owner'],
      query: z.object({
        dim: z.enum(AGGREGATE_DIMS),
        /** Omit to list every key of the dimension: dim=data_flow lists the observed app>dataset edges. */
        key: z.string().min(1).optional(),
        kind: z.string().optional(),
        metric: z.string().optional(),
        from: epoch.optional(),
        to: epoch.optional(),
      }),
      handler: async ({ query }) => {
        const to = query.to ?? deps.now();
        const rows = await deps.aggregates.query({
          dim: query.dim,
          key: query.key,
          kind: query.kind,
          metric: query.metric,
          from: query.from ?? to - 3_600_000,
          to,
        });
        return { rows };
      },
    }),
  ];
}
