// Gatehouse configuration: the server's own settings and the loader (GATEHOUSE_HOME/gatehouse.yaml plus env vars).
// Feature sections are registered at the composition root (src/feature-registry.ts); this module knows none.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import { parseOrThrow } from '../core/validation.js';

/** The settings every Gatehouse has, whatever its features: where it lives, how it listens, what it connects to. */
export const coreConfigShape = {
  home: z.string(),
  server: z
    .object({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      maxBodyBytes: z.number().int().positive().default(1_048_576),
      /** A client must send its request headers within this (slow-loris connections are dropped). */
      headersTimeoutMs: z.number().int().positive().default(10_000),
      /** ... and its whole request (headers and body) within this. */
      requestTimeoutMs: z.number().int().positive().default(30_000),
      /** A connection with no bytes moving either way for this long is closed (a client that stops reading a stream). */
      idleTimeoutMs: z.number().int().positive().default(120_000),
    })
    .strict()
    .prefault({}),
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
  /** Signs every broadcast between replicas (kills, lifts, caps, flags, invalidations); required with redisUrl. */
  coordKey: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  /** What replicas do when Redis is unreachable (docs/deploy.md). */
  coordination: z
    .object({
      outage: z
        .object({
          /**
           * Absent (the default): budgets and rate limits fail closed (503 naming Redis). Set `replicas: N` to let each
           * replica spend 1/N of what a budget had left when it last heard from Redis, added to Redis on its return.
           */
          budgetShare: z
            .object({ replicas: z.number().int().min(1, 'must be at least 1 (the number of replicas you run)') })
            .strict()
            .optional(),
        })
        .strict()
        .prefault({}),
    })
    .strict()
    .prefault({}),
  logLevel: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('info'),
  /** Seed the example catalog, policies and apps when the store is empty. */
  seedExamples: z.boolean().default(true),
};

export interface ConfigSources {
  env: Record<string, string | undefined>;
  /** Overrides from the command line (--host, --port). */
  overrides?: { host?: string; port?: number };
}

/** Reads gatehouse.yaml (optional) and env vars into one config validated by `schema`; a bad value throws with its path. */
export function loadConfigWith<S extends z.ZodType>(schema: S, { env, overrides = {} }: ConfigSources): z.output<S> {
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
  if (env.GATEHOUSE_COORD_KEY) merged.coordKey = env.GATEHOUSE_COORD_KEY;
  if (env.GATEHOUSE_LOG_LEVEL) merged.logLevel = env.GATEHOUSE_LOG_LEVEL;
  return parseOrThrow(schema, merged, `configuration (${file} and GATEHOUSE_* variables)`);
}
