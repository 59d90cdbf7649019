// Test harness: the gateway on real HTTP (127.0.0.1) in front of the fake upstream, with in-memory fakes of the
// catalog, apps and governor, a real SQLite file, real DLP, and the coordination the test picks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifestSchema, type AppVersion, type LifecycleState } from '../../apps/manifest-schema.js';
import type { ModelDoc } from '../../catalog/catalog-schema.js';
import { MemoryCatalog } from '../../catalog/testing/memory-catalog.js';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import type {
  Decision,
  EnforcementRefusal,
  GovernInput,
  Governor,
  Obligations,
  Refusal,
} from '../../core/governance.js';
import { newId } from '../../core/ids.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import type { AuditEventInput, TelemetryEvent } from '../../core/sinks.js';
import type { Coordination } from '../../coord/coordination.js';
import { MemoryCoordination } from '../../coord/memory-coordination.js';
import { createDlpEngine, type DlpEngine } from '../../dlp/index.js';
import { buildApp, listen, type ConnectionLimits, type RunningServer } from '../../http/server.js';
import { SqliteDb } from '../../store/sqlite-db.js';
import { migrate, type SqlDb } from '../../store/sql-db.js';
import { gatewayMigrations } from '../gateway-migrations.js';
import { createGatewayFeature, type GatewayFeature } from '../gateway-feature.js';
import type { GatewayConfig } from '../gateway-config.js';
import { FakeUpstream } from '../../demo/fake-upstream.js';
import { MemoryApps } from '../../apps/testing/memory-apps.js';

export const PROVIDER_KEY = 'sk-provider-secret-123';

export function modelDoc(
  name: string,
  provider: ModelDoc['spec']['provider'],
  upstream: string,
  over: Partial<ModelDoc['spec']> = {},
): ModelDoc {
  return {
    apiVersion: 'gatehouse/v1',
    kind: 'Model',
    metadata: { name },
    spec: {
      provider,
      upstream,
      region: 'eu',
      version: '1',
      pricing: { inputPerMTok: 1, outputPerMTok: 4 },
      environments: ['dev', 'prod'],
      risk: 'low',
      ...over,
    },
  };
}

export function appVersion(
  name: string,
  spec: Record<string, unknown>,
  state: LifecycleState = 'released',
  version = 1,
): AppVersion {
  const manifest = manifestSchema.parse({
    apiVersion: 'gatehouse/v1',
    kind: 'App',
    metadata: { name, owner: 'alice' },
    spec: {
      purpose: 'testing the gateway',
      environment: 'dev',
      region: 'eu',
      runtime: { tier: 'wasm', entrypoint: 'main.ts' },
      ...spec,
    },
  });
  return { app: name, version, hash: 'h', manifest, code: {}, state, submittedBy: 'alice', createdAt: 0 };
}

/** Allows unless told otherwise; obligations per model; remembers every input. */
export class FakeGovernor implements Governor {
  readonly inputs: GovernInput[] = [];
  obligations: Obligations = {};
  deny = new Map<string, string>();
  /** The typed refusal a denied resource carries (the real governor always sets one on a deny). */
  refusals = new Map<string, Refusal>();
  /** Refusals recorded through recordRefusal, in order. */
  readonly refused: Array<{ decision: Decision; input: GovernInput; refusal: EnforcementRefusal }> = [];
  async recordRefusal(input: GovernInput, refusal: EnforcementRefusal): Promise<Decision> {
    const decision: Decision = {
      id: newId('dec'),
      time: Date.now(),
      effect: 'deny',
      obligations: {},
      warnings: [],
      matched: [{ policy: refusal.by, effect: 'deny', mode: 'enforce', reason: refusal.reason }],
      bundleRevision: 'test',
      reason: refusal.reason,
      errors: [],
      refusal: { step: 'enforce', code: refusal.code, status: refusal.status, after: refusal.after },
    };
    this.refused.push({ decision, input, refusal });
    return decision;
  }
  async govern(input: GovernInput): Promise<Decision> {
    this.inputs.push(input);
    const reason = this.deny.get(input.resource.id);
    const refusal = reason ? (this.refusals.get(input.resource.id) ?? { step: 'policy', code: 'denied' }) : undefined;
    return {
      id: newId('dec'),
      time: Date.now(),
      effect: reason ? 'deny' : 'allow',
      obligations: this.obligations,
      warnings: [],
      matched: [],
      bundleRevision: 'test',
      reason: reason ?? 'allowed',
      errors: [],
      ...(refusal ? { refusal } : {}),
    };
  }
}

export interface Harness {
  url: string;
  /** GATEHOUSE_HOME of this gateway (seal keys, key files). */
  home: string;
  db: SqlDb;
  upstream: FakeUpstream;
  apps: MemoryApps;
  catalog: MemoryCatalog;
  governor: FakeGovernor;
  gateway: GatewayFeature;
  audit: AuditEventInput[];
  telemetry: TelemetryEvent[];
  coord: Coordination;
  /** Creates an app key for `app` (as its owner). */
  key(app: string, env?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(
  opts: {
    coord?: Coordination;
    config?: Partial<GatewayConfig>;
    chunkSize?: number;
    clock?: Clock;
    env?: Record<string, string>;
    /** The DLP engine (default: built-in rules only). */
    dlp?: DlpEngine;
    /** Server timeouts (slow clients); none by default. */
    limits?: ConnectionLimits;
    /** Runs before an audit entry is kept (hold it, or throw to play a failing audit log). */
    beforeAudit?: (e: AuditEventInput) => Promise<void>;
    /** Random source of deployment routing (seeded for reproducible shares). */
    routingRandom?: () => number;
    /** A store shared with other replicas (the caller closes it); default a fresh SQLite file. */
    db?: SqlDb;
    /** Where the gateway and server log (default: nowhere). */
    logger?: Logger;
  } = {},
): Promise<Harness> {
  const home = mkdtempSync(join(tmpdir(), 'gh-gw-'));
  const db = opts.db ?? new SqliteDb(join(home, 'gatehouse.db'));
  await migrate(db, gatewayMigrations);
  const upstream = await new FakeUpstream({ apiKey: PROVIDER_KEY, chunkSize: opts.chunkSize ?? 4 }).start();
  const apps = new MemoryApps();
  const catalog = new MemoryCatalog();
  catalog.put(modelDoc('gpt-small', 'openai', upstream.baseUrl, { upstreamModel: 'gpt-4o-mini' }));
  catalog.put(
    modelDoc('gpt-cheap', 'openai', upstream.baseUrl, { pricing: { inputPerMTok: 0.1, outputPerMTok: 0.2 } }),
  );
  catalog.put(modelDoc('claude-small', 'anthropic', upstream.url, { upstreamModel: 'claude-3-5-haiku' }));
  const governor = new FakeGovernor();
  const audit: AuditEventInput[] = [];
  const telemetry: TelemetryEvent[] = [];
  const coord = opts.coord ?? new MemoryCoordination();
  const clock = opts.clock ?? systemClock;
  const env: Record<string, string> = {
    GATEHOUSE_MODEL_KEY_GPT_SMALL: PROVIDER_KEY,
    GATEHOUSE_MODEL_KEY_GPT_CHEAP: PROVIDER_KEY,
    GATEHOUSE_MODEL_KEY_CLAUDE_SMALL: PROVIDER_KEY,
    ...opts.env,
  };
  const gateway = await createGatewayFeature({
    db,
    coord,
    governor,
    apps,
    catalog,
    dlp: opts.dlp ?? createDlpEngine(),
    clock,
    logger: opts.logger ?? silentLogger,
    home,
    env,
    maxBodyBytes: 1_048_576,
    routingRandom: opts.routingRandom,
    audit: {
      append: async (e) => {
        await opts.beforeAudit?.(e);
        audit.push(e);
        return { index: audit.length - 1 };
      },
    },
    telemetry: { emit: (e) => telemetry.push(e) },
    config: { retryBaseMs: 10, auditBatchMs: 0, ...opts.config }, // entries at once: tests read h.audit right after a call
  });
  const http = buildApp({
    routes: gateway.routes,
    maxBodyBytes: 1_048_576,
    logger: opts.logger ?? silentLogger,
    version: 'test',
    mounts: [(a) => gateway.mount(a)],
    authenticate: async (t) =>
      t === 'admin-token'
        ? { user: 'admin', roles: ['admin'], groups: [] }
        : t === 'alice-token'
          ? { user: 'alice', roles: ['creator'], groups: [] }
          : t === 'bob-token'
            ? { user: 'bob', roles: ['creator'], groups: [] }
            : undefined,
  });
  const server: RunningServer = await listen(http, '127.0.0.1', 0, opts.limits);
  return {
    url: server.url,
    home,
    db,
    upstream,
    apps,
    catalog,
    governor,
    gateway,
    audit,
    telemetry,
    coord,
    async key(app, env) {
      return (await gateway.credentials.createKey(app, env, 'alice')).key;
    },
    async close() {
      await server.close();
      await gateway.close();
      await upstream.close();
      await coord.close();
      if (!opts.db) await db.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
