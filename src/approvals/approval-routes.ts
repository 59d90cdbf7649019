// REST routes of approvals and admission: list, read, approve, reject, explain a version's risk, run the SLA check.
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import type { AdmissionService } from '../admission/admission-service.js';
import { summarize, type ApprovalService } from './approval-service.js';
import type { SlaMonitor } from './sla-monitor.js';
import { approvalDetailSchema, approvalSummarySchema, explanationSchema } from '../admission/admission-api-schemas.js';

const comment = z.string().max(2000, 'keep the comment under 2000 characters');

export function approvalRoutes(approvals: ApprovalService, admission: AdmissionService, sla: SlaMonitor): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/approvals',
      summary: 'List approval requests',
      response: z.object({ items: z.array(approvalSummarySchema) }),
      tag: 'approvals',
      access: 'authenticated',
      query: z
        .object({
          state: z.enum(['pending', 'approved', 'rejected', 'superseded']).optional(),
          mine: z.enum(['true', 'false']).optional(),
          app: z.string().optional(),
        })
        .strict(),
      handler: async ({ principal, query }) => ({
        items: await approvals.list(principal, { state: query.state, mine: query.mine === 'true', app: query.app }),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/approvals/:id',
      summary: 'Read an approval request with its risk factors and findings',
      response: approvalDetailSchema,
      tag: 'approvals',
      access: 'authenticated',
      handler: async ({ params }) => {
        const r = await approvals.require(params.id);
        return { ...summarize(r), risk: r.risk, findings: r.findings, decision: r.decision };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/approvals/:id/approve',
      summary: 'Approve an app version',
      response: approvalSummarySchema,
      tag: 'approvals',
      access: 'authenticated',
      body: z.object({ comment: comment.optional() }).strict(),
      handler: async ({ params, principal, body }) => approvals.approve(params.id, principal, body.comment),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/approvals/:id/reject',
      summary: 'Reject an app version',
      response: approvalSummarySchema,
      tag: 'approvals',
      access: 'authenticated',
      body: z.object({ comment: comment.min(1, 'say what the creator should change') }).strict(),
      handler: async ({ params, principal, body }) => approvals.reject(params.id, principal, body.comment),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/approvals/check-slas',
      summary: 'Run the approval SLA check now (reminders, escalations)',
      response: z.object({ reminded: z.array(z.string()), escalated: z.array(z.string()) }),
      tag: 'approvals',
      access: ['admin'],
      handler: async () => sla.tick(),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/apps/:app/explain',
      summary: 'Explain the risk score and approval of an app version',
      response: explanationSchema,
      tag: 'apps',
      access: 'authenticated',
      query: z.object({ version: z.string().optional() }).strict(),
      handler: async ({ params, query }) => {
        let version: number | undefined;
        if (query.version !== undefined) {
          version = Number(query.version);
          if (!Number.isInteger(version) || version < 1)
            throw new InvalidInputError(`version must be a version number (1, 2, ...), got '${query.version}'.`, [
              { path: 'version', message: 'expected a positive integer' },
            ]);
        }
        return admission.explain(params.app, version);
      },
    }),
  ];
}
