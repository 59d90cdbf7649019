// Test helper: a whole Gatehouse on 127.0.0.1 (port 0) over a temp home, on SQLite or a fresh PostgreSQL schema.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, type GatehouseConfig } from '../feature-registry.js';
import type { Clock } from '../core/clock.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { createGatehouse, type Gatehouse } from '../main.js';
import { runCli } from '../cli/program.js';
import { TEST_PG_URL, dropPgSchema, freshPgSchema, tempDir } from './databases.js';

export interface TestGatehouse {
  gh: Gatehouse;
  url: string;
  home: string;
  adminToken: string;
  /** Calls the REST API; returns status and parsed JSON body. */
  api(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{
    status: number;
    body: Record<string, unknown> & {
      error?: { code: string; message: string; details: { path?: string; message: string }[] };
    };
  }>;
  /** Runs the CLI in-process against this server; returns exit code and output. */
  cli(args: string[], token?: string): Promise<{ code: number; out: string; err: string }>;
  /** Mints a token for a catalog user. */
  tokenFor(user: string): Promise<string>;
  /** Points a catalog model at a (fake) provider on loopback and stores its provider key, as an operator would. */
  useProvider(model: string, upstreamBaseUrl: string, key: string): Promise<void>;
  close(): Promise<void>;
}

export interface TestGatehouseOptions {
  store?: 'sqlite' | 'postgres';
  clock?: Clock;
  seed?: boolean;
  /** Extra config (validated by the real schema). */
  config?: Record<string, unknown>;
  /** Server log (default silent); tests that check what the server logs pass their own. */
  logger?: Logger;
}

export async function startTestGatehouse(opts: TestGatehouseOptions = {}): Promise<TestGatehouse> {
  const home = tempDir();
  const pgSchema = opts.store === 'postgres' ? freshPgSchema() : undefined;
  const config: GatehouseConfig = configSchema.parse({
    home,
    server: { host: '127.0.0.1', port: 0, maxBodyBytes: 1_048_576 },
    adminToken: 'test-admin-token-0123456789',
    logLevel: 'silent',
    seedExamples: opts.seed ?? true,
    ...(pgSchema ? { databaseUrl: TEST_PG_URL } : {}),
    ...opts.config,
  });
  const gh = await createGatehouse(config, { clock: opts.clock, logger: opts.logger ?? silentLogger, pgSchema });
  const server = await gh.listen();
  const api: TestGatehouse['api'] = async (method, path, body, token = config.adminToken) => {
    const res = await fetch(server.url + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { raw: text };
    }
    return { status: res.status, body: parsed as Record<string, unknown> };
  };
  return {
    gh,
    url: server.url,
    home,
    adminToken: config.adminToken!,
    api,
    async cli(args, token = config.adminToken) {
      let out = '';
      let err = '';
      const code = await runCli(
        args,
        { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') },
        { GATEHOUSE_URL: server.url, GATEHOUSE_TOKEN: token, GATEHOUSE_HOME: home },
      );
      return { code, out, err };
    },
    async tokenFor(user) {
      const r = await api('POST', '/api/v1/tokens', { user });
      if (r.status !== 201) throw new Error(`token for ${user}: ${JSON.stringify(r.body)}`);
      return String(r.body.token);
    },
    async useProvider(model, upstreamBaseUrl, key) {
      const doc = gh.catalog.model(model);
      if (!doc) throw new Error(`no model ${model} in the catalog`);
      await gh.catalog.apply(
        [{ source: 'test', value: { ...doc, spec: { ...doc.spec, upstream: upstreamBaseUrl } } }],
        'admin',
      );
      mkdirSync(join(home, 'model-keys'), { recursive: true });
      writeFileSync(join(home, 'model-keys', model), `${key}\n`, { mode: 0o600 });
    },
    async close() {
      await gh.close();
      if (pgSchema) await dropPgSchema(pgSchema);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
