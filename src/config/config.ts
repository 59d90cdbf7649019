// Gatehouse configuration: one schema, parsed once at start-up from GATEHOUSE_HOME/gatehouse.yaml plus env vars.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import { parseOrThrow } from '../core/validation.js';
import { approvalsConfigSchema } from '../approvals/approvals-config.js';
import { notifyConfigSchema } from '../notify/notify-config.js';
import { dlpConfigSchema } from '../dlp/dlp-config.js';
import { auditConfigSchema } from '../audit/audit-config.js';
import { policyConfigSchema } from '../policy/policy-config.js';
import { telemetryConfigSchema } from '../telemetry/telemetry-config.js';
import { rolloutConfigSchema } from '../rollout/rollout-config.js';
import { gatewayConfigSchema } from '../gateway/gateway-config.js';
import { sandboxConfigSchema } from '../sandbox/sandbox-config.js';

export const configSchema = z
  .object({
    home: z.string(),
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        maxBodyBytes: z.number().int().positive().default(1_048_576),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080, maxBodyBytes: 1_048_576 }),
    /** postgres://... switches the store to PostgreSQL; absent means the SQLite file in home. */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
    /** redis://... switches coordination (budgets, broadcast) to Redis; absent means in-process. */
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .optional(),
    logLevel: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('info'),
    /** Seed the example catalog, policies and apps when the store is empty. */
    seedExamples: z.boolean().default(true),
    /** Admission risk weights, tier thresholds, approval quorum and SLAs (docs/approvals.md). */
    approvals: approvalsConfigSchema.prefault({}),
    /** Webhook notifications (approval requested, reminded, escalated, decided). */
    notify: notifyConfigSchema.prefault({}),
    /** DLP threshold, allow-lists, custom detectors and default redaction policy (docs/dlp.md). */
    dlp: dlpConfigSchema.prefault({}),
    /** Audit log: checkpoint origin, witness file, group-commit batch size (docs/audit.md). */
    audit: auditConfigSchema.prefault({}),
    /** Policy engine: condition cost bounds, decision-log batching and masking, example seeding. */
    policy: policyConfigSchema.prefault({}),
    /** Telemetry: aggregate flush, /metrics token, OTLP/HTTP collector (docs/telemetry.md). */
    telemetry: telemetryConfigSchema.prefault({}),
    /** Rollout: snapshot window and alert webhook delivery (docs/rollout.md). */
    rollout: rolloutConfigSchema.prefault({}),
    /** Model gateway: default output cap, upstream timeouts/retries/breaker, DLP modes, sessions (docs/gateway.md). */
    gateway: gatewayConfigSchema.prefault({}),
    /** Sandboxed runtime: run ceilings, dataset row cap, egress caps, microvm provisioning (docs/sandbox.md). */
    sandbox: sandboxConfigSchema.prefault({}),
  })
  .strict();

export type GatehouseConfig = z.output<typeof configSchema>;

export interface ConfigSources {
  env: Record<string, string | undefined>;
  /** Overrides from the command line (--host, --port). */
  overrides?: { host?: string; port?: number };
}

/** Reads gatehouse.yaml (optional) and env vars into one validated config; a bad value throws with its path. */
export function loadConfig({ env, overrides = {} }: ConfigSources): GatehouseConfig {
  const home = resolve(env.GATEHOUSE_HOME ?? '.gatehouse');
  const file = join(home, 'gatehouse.yaml');
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
      if (parsed !== null && parsed !== undefined) {
        if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be a mapping');
        fromFile = parsed as Record<string, unknown>;
      }
    } catch (err) {
      throw new InvalidInputError(`Cannot read ${file}: ${(err as Error).message}`, [
        { path: file, message: (err as Error).message },
      ]);
    }
  }
  const server = { ...(fromFile.server as Record<string, unknown> | undefined) };
  if (env.GATEHOUSE_HOST) server.host = env.GATEHOUSE_HOST;
  if (env.GATEHOUSE_PORT) server.port = Number(env.GATEHOUSE_PORT);
  if (overrides.host) server.host = overrides.host;
  if (overrides.port !== undefined) server.port = overrides.port;
  const merged: Record<string, unknown> = { ...fromFile, home, server };
  if (env.GATEHOUSE_DATABASE_URL) merged.databaseUrl = env.GATEHOUSE_DATABASE_URL;
  if (env.GATEHOUSE_ADMIN_TOKEN) merged.adminToken = env.GATEHOUSE_ADMIN_TOKEN;
  if (env.GATEHOUSE_REDIS_URL) merged.redisUrl = env.GATEHOUSE_REDIS_URL;
  if (env.GATEHOUSE_LOG_LEVEL) merged.logLevel = env.GATEHOUSE_LOG_LEVEL;
  return parseOrThrow(configSchema, merged, `configuration (${file} and GATEHOUSE_* variables)`);
}
