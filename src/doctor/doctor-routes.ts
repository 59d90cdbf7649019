// GET /api/v1/doctor: the readiness report `gatehouse doctor` prints (and the console will show).
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { doctorSummary, scoreChecks } from './doctor-checks.js';
import { gatherFacts, type DoctorDeps } from './doctor-facts.js';

export const doctorReportSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      status: z.enum(['pass', 'warn', 'fail']),
      why: z.string(),
      fix: z.string(),
    }),
  ),
  summary: z.object({ pass: z.number(), warn: z.number(), fail: z.number(), score: z.number() }),
});

export type DoctorReport = z.output<typeof doctorReportSchema>;

export function doctorRoutes(deps: DoctorDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/doctor',
      summary: "Score this installation against the design brief's checklist and the production settings",
      tag: 'doctor',
      access: ['security', 'auditor'],
      response: doctorReportSchema,
      handler: async ({ c }): Promise<DoctorReport> => {
        const items = scoreChecks(await gatherFacts(deps, { forwardedProto: c.req.header('x-forwarded-proto') }));
        return { items, summary: doctorSummary(items) };
      },
    }),
  ];
}
