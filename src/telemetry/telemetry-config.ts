// The `telemetry` section of the Gatehouse configuration.
import { z } from 'zod';

export const telemetryConfigSchema = z
  .object({
    /** How often per-minute aggregates are written to the store. */
    flushIntervalMs: z.number().int().positive().default(5000),
    /** Minutes of recent events kept in memory per app for forensic snapshots. */
    recentMinutes: z.number().int().positive().max(240).default(15),
    /** A bearer token Prometheus may scrape GET /metrics with (admin, security and auditor tokens also work). */
    metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Serve GET /metrics without a token (its labels name apps and their spend: only on a private network). */
    metricsPublic: z.boolean().default(false),
    /** Process metrics (CPU, memory, event loop) in /metrics. */
    processMetrics: z.boolean().default(true),
    /** OTLP/HTTP collector; export is off when endpoint is absent. */
    otlp: z
      .object({
        endpoint: z
          .string()
          .regex(/^https?:\/\/\S+$/, 'must be an http(s) base URL such as http://127.0.0.1:4318')
          .optional(),
        headers: z.record(z.string(), z.string()).default({}),
        serviceName: z.string().default('gatehouse'),
        metricsIntervalMs: z.number().int().positive().default(10_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type TelemetryConfig = z.output<typeof telemetryConfigSchema>;
export const defaultTelemetryConfig: TelemetryConfig = telemetryConfigSchema.parse({});
