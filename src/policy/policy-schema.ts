// Policy documents (kind Policy), their tests (kind PolicyTest) and the GovernanceRequest JSON they use, as zod schemas.
import { z } from 'zod';
import type { GovernanceRequest } from '../core/governance.js';

export const POLICY_EFFECTS = ['allow', 'deny', 'require_approval', 'warn', 'limit'] as const;
export const POLICY_MODES = ['enforce', 'advisory'] as const;
export const DECISION_EFFECTS = ['allow', 'deny', 'require_approval'] as const;

const POLICY_NAME_RE = /^[a-z0-9]([a-z0-9._-]{0,126}[a-z0-9])?$/;
const policyName = z.string().regex(POLICY_NAME_RE, 'use 1-128 lowercase letters, digits, ".", "_" or "-"');

/** Limit values: numbers merge to the minimum, lists to their intersection, booleans to OR (true is stricter). */
export const parameterValue = z.union([z.number(), z.boolean(), z.string(), z.array(z.string())]);

export const policySchema = z
  .object({
    apiVersion: z.literal('gatehouse/v1'),
    kind: z.literal('Policy'),
    metadata: z
      .object({
        name: policyName,
        description: z.string().optional(),
        labels: z.record(z.string(), z.string()).optional(),
      })
      .strict(),
    spec: z
      .object({
        match: z
          .object({
            actions: z.array(z.string().min(1)).min(1).optional(),
            resourceTypes: z.array(z.string().min(1)).min(1).optional(),
            environments: z
              .array(z.enum(['dev', 'staging', 'prod']))
              .min(1)
              .optional(),
            apps: z.array(z.string().min(1)).min(1).optional(),
          })
          .strict()
          .default({}),
        /** CEL over subject, resource, request, app, params, action, environment. Absent means "always". */
        condition: z.string().min(1).optional(),
        effect: z.enum(POLICY_EFFECTS),
        mode: z.enum(POLICY_MODES).default('enforce'),
        parameters: z.record(z.string(), parameterValue).default({}),
        /** Shown to the user; {{resource.id}}-style placeholders are filled from the request. */
        message: z.string().optional(),
      })
      .strict(),
  })
  .strict();

export type PolicyDoc = z.output<typeof policySchema>;

const appScopeSchema = z
  .object({
    name: z.string().default('app'),
    version: z.number().int().default(1),
    owner: z.string().default('unknown'),
    environment: z.enum(['dev', 'staging', 'prod']).default('dev'),
    region: z.string().default(''),
    state: z.string().default('approved'),
    models: z.array(z.string()).default([]),
    datasets: z.array(z.string()).default([]),
    connectors: z.array(z.string()).default([]),
    egress: z.array(z.string()).default([]),
    spec: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** The documented GovernanceRequest JSON (policy tests, `policy eval`, the eval API). */
export const governanceRequestSchema = z
  .object({
    action: z.string().min(1),
    subject: z
      .object({
        user: z.string().min(1),
        roles: z.array(z.string()).default([]),
        groups: z.array(z.string()).default([]),
        app: z.string().optional(),
        appVersion: z.number().int().optional(),
        session: z.string().optional(),
        run: z.string().optional(),
      })
      .strict(),
    resource: z
      .object({
        type: z.string().min(1),
        id: z.string().min(1),
        attributes: z.record(z.string(), z.unknown()).default({}),
      })
      .strict(),
    request: z.record(z.string(), z.unknown()).default({}),
    app: appScopeSchema.optional(),
    environment: z.enum(['dev', 'staging', 'prod']).optional(),
    traceId: z.string().optional(),
  })
  .strict();

// Compile-time check that the parsed JSON is a GovernanceRequest.
export const asGovernanceRequest = (v: z.output<typeof governanceRequestSchema>): GovernanceRequest => v;

export const policyTestSchema = z
  .object({
    apiVersion: z.literal('gatehouse/v1'),
    kind: z.literal('PolicyTest'),
    metadata: z.object({ name: policyName, description: z.string().optional() }).strict(),
    spec: z
      .object({
        input: governanceRequestSchema,
        expect: z
          .object({
            effect: z.enum(DECISION_EFFECTS),
            /** Only the listed limits are compared; `null` means the limit must be absent. */
            obligations: z.record(z.string(), parameterValue.nullable()).optional(),
            /** Each listed text must appear in some warning; `[]` means no warnings at all. */
            warnings: z.array(z.string()).optional(),
            /** Policies that must be among the matched ones. */
            matched: z.array(z.string()).optional(),
            /** Text the decision's reason must contain. */
            reason: z.string().optional(),
          })
          .strict(),
      })
      .strict(),
  })
  .strict();

export type PolicyTestDoc = z.output<typeof policyTestSchema>;
