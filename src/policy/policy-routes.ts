// REST routes: /api/v1/policies (apply, list, revisions, activate, eval, simulate) and /api/v1/decisions (the log).
import { z } from 'zod';
import { NotFoundError } from '../core/errors.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import type { Clock } from '../core/clock.js';
import type { DecisionLog } from './decision-log.js';
import { asGovernanceRequest, governanceRequestSchema } from './policy-schema.js';
import type { PolicyService } from './policy-service.js';
import { parseSince } from '../core/duration.js';
import { MAX_CHANGES } from './simulate.js';
import {
  activationSchema,
  applyResultSchema,
  decisionSchema,
  loggedDecisionSchema,
  policyListSchema,
  simulationReportSchema,
  storedRevisionSchema,
} from './policy-api-schemas.js';

const filesBody = z
  .object({
    files: z
      .array(z.object({ path: z.string().min(1), content: z.string() }).strict())
      .min(1, 'send at least one policy file'),
  })
  .strict();

export function policyRoutes(service: PolicyService, log: DecisionLog, clock: Clock): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/policies',
      summary: 'List policy bundle revisions and the active one',
      response: policyListSchema,
      tag: 'policies',
      access: 'authenticated',
      handler: async () => ({
        active: service.activeRevision,
        policies: service.policyCount,
        revisions: await service.store.listRevisions(),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/policies',
      summary: 'Apply a policy bundle: validate, compile, test, store and activate',
      response: applyResultSchema,
      tag: 'policies',
      access: ['security'],
      body: filesBody,
      handler: async ({ body, principal }) => service.apply(body.files, principal.user),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/policies/activations',
      summary: 'Activation history, newest first',
      response: z.object({ items: z.array(activationSchema) }),
      tag: 'policies',
      access: 'authenticated',
      query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() }),
      handler: async ({ query }) => ({ items: await service.store.activations(query.limit) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/policies/revisions/:revision',
      summary: 'One stored revision with its policy files',
      response: storedRevisionSchema,
      tag: 'policies',
      access: 'authenticated',
      handler: async ({ params }) => service.store.getRevision(params.revision),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/policies/revisions/:revision/activate',
      summary: 'Re-activate a stored revision',
      response: activationSchema,
      tag: 'policies',
      access: ['security'],
      handler: async ({ params, principal }) => service.activate(params.revision, principal.user),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/policies/eval',
      summary: 'Evaluate a GovernanceRequest against the active bundle (not recorded)',
      response: decisionSchema,
      tag: 'policies',
      access: 'authenticated',
      body: z.object({ input: governanceRequestSchema }).strict(),
      handler: async ({ body }) => service.decide(asGovernanceRequest(body.input)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/policies/simulate',
      summary: 'Replay recorded decisions against a candidate bundle',
      response: simulationReportSchema,
      tag: 'policies',
      access: ['security', 'auditor'],
      body: filesBody.extend({
        since: z.string().default('24h'),
        limit: z.number().int().min(1).max(100_000).optional(),
        maxChanges: z
          .number()
          .int()
          .min(0)
          .max(MAX_CHANGES)
          .optional()
          .describe('changes listed, newest first (default 500); the counts always cover every replayed decision'),
        maxApps: z.number().int().min(0).max(100_000).optional().describe('apps listed in byApp (default all)'),
      }),
      handler: async ({ body }) =>
        service.simulate(body.files, parseSince(body.since, clock.now()), body.limit, {
          maxChanges: body.maxChanges,
          maxApps: body.maxApps,
        }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/decisions',
      summary: 'Query the decision log',
      response: z.object({ items: z.array(loggedDecisionSchema) }),
      tag: 'decisions',
      access: ['security', 'auditor'],
      query: z
        .object({
          app: z.string().optional(),
          action: z.string().optional(),
          user: z.string().optional(),
          effect: z.enum(['allow', 'deny', 'require_approval']).optional(),
          since: z.string().optional(),
          until: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(10_000).optional(),
        })
        .strict(),
      handler: async ({ query }) => {
        const now = clock.now();
        const items = await log.query({
          app: query.app,
          action: query.action,
          user: query.user,
          effect: query.effect,
          limit: query.limit,
          since: query.since ? parseSince(query.since, now, 'since') : undefined,
          until: query.until ? parseSince(query.until, now, 'until') : undefined,
        });
        return { items };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/decisions/:id',
      summary: 'One logged decision with its (masked) input',
      response: loggedDecisionSchema,
      tag: 'decisions',
      access: ['security', 'auditor'],
      handler: async ({ params }) => {
        const d = await log.get(params.id);
        if (!d) throw new NotFoundError('Decision', params.id, 'list decisions with `gatehouse decisions list`');
        return d;
      },
    }),
  ];
}
