// The App manifest (kind: App): what an app declares it needs. Whatever it does not declare, it cannot do.
import { z } from 'zod';
import { nameSchema } from '../catalog/catalog-schema.js';

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export const TIERS = ['wasm', 'container', 'microvm'] as const;

const hostSchema = z
  .string()
  .regex(
    /^(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/i,
    'must be a host name like api.example.com (optionally *.example.com or host:port), without scheme or path',
  );

export const manifestSchema = z
  .object({
    apiVersion: z.literal('gatehouse/v1'),
    kind: z.literal('App'),
    metadata: z
      .object({
        name: nameSchema,
        owner: z.string().min(1, 'name the owning user'),
        /** Users who may submit versions and manage keys besides the owner. */
        maintainers: z.array(z.string().min(1)).optional(),
        description: z.string().optional(),
        labels: z.record(z.string(), z.string()).optional(),
      })
      .strict(),
    spec: z
      .object({
        purpose: z.string().min(3, 'say in a few words what the app is for'),
        environment: z.enum(ENVIRONMENTS),
        region: z.string().min(1),
        runtime: z
          .object({
            tier: z.enum(TIERS),
            entrypoint: z.string().min(1, 'name the code file that exports main(input, ctx)'),
            /** Further code files the entrypoint imports, relative to the manifest. */
            files: z.array(z.string().min(1)).default([]),
            timeoutMs: z.number().int().positive().max(300_000).optional(),
            memoryMb: z.number().int().positive().max(4096).optional(),
          })
          .strict(),
        models: z
          .array(
            z
              .object({
                id: z.string().min(1),
                maxInputTokens: z.number().int().positive().optional(),
                maxOutputTokens: z.number().int().positive().optional(),
                temperature: z.number().min(0).max(2).optional(),
                /** Cheaper model to route to when a budget runs out or this model is killed. */
                fallback: z.string().optional(),
                /** Tools the app may offer this model: names, or patterns with `*` (`search_*`). None: no tools. */
                tools: z
                  .array(z.string().regex(/^[A-Za-z0-9_*.-]{1,64}$/, 'a tool name or a pattern with *'))
                  .optional(),
              })
              .strict(),
          )
          .default([]),
        data: z
          .array(
            z
              .object({
                dataset: z.string().min(1),
                access: z.enum(['read', 'write']),
                purpose: z.string().min(3, 'say why the app needs this data'),
                columns: z.array(z.string().min(1)).default([]),
              })
              .strict(),
          )
          .default([]),
        connectors: z.array(z.object({ id: z.string().min(1) }).strict()).default([]),
        egress: z.array(hostSchema).default([]),
        users: z
          .object({ groups: z.array(z.string()).default([]) })
          .strict()
          .default({ groups: [] }),
        prompts: z.array(z.object({ name: z.string().min(1), template: z.string() }).strict()).default([]),
        budgets: z
          .object({
            dailyCostUsd: z.number().positive().optional(),
            perUserDailyCostUsd: z.number().positive().optional(),
            requestsPerMinute: z.number().int().positive().optional(),
            tokensPerMinute: z.number().int().positive().optional(),
          })
          .strict()
          .optional(),
        cache: z
          .object({ enabled: z.boolean().default(false), ttlSeconds: z.number().int().positive().default(3600) })
          .strict()
          .optional(),
      })
      .strict(),
  })
  .strict();

export type AppManifest = z.output<typeof manifestSchema>;

export { LIFECYCLE_STATES, type LifecycleState } from './lifecycle-states.js';
import type { LifecycleState } from './lifecycle-states.js';

export interface AppVersion {
  app: string;
  version: number;
  /** sha256 hex of the canonical manifest plus code. */
  hash: string;
  manifest: AppManifest;
  /** Code files by path relative to the manifest (TypeScript already transpiled where noted). */
  code: Record<string, string>;
  state: LifecycleState;
  submittedBy: string;
  createdAt: number;
}

/** Read access to apps for other features (gateway, sandbox, approvals, rollout). */
export interface AppReader {
  getVersion(app: string, version: number): Promise<AppVersion | undefined>;
  latestVersion(app: string): Promise<AppVersion | undefined>;
  /** The version in force: released (or canary), else approved in dev; undefined when none may run. */
  inForce(app: string): Promise<AppVersion | undefined>;
  listVersions(app: string): Promise<AppVersion[]>;
}
