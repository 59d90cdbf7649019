// Prometheus exposition of the telemetry stream (prom-client, own registry) and the GET /metrics mount.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, Histogram, Registry, collectDefaultMetrics, Gauge } from 'prom-client';
import type { TelemetryEvent } from '../core/sinks.js';
import { z } from 'zod';
import { bearerToken, type Mount } from '../http/server.js';
import type { RawRouteDoc } from '../http/route.js';
import { hasAnyRole, type Principal } from '../identity/principal.js';
import { scopeAllows } from '../identity/scopes.js';

/** Compares secrets in constant time (as digests, so lengths do not leak either). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

const NOBODY: Principal = { user: 'anonymous', roles: [], groups: [] };

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** A monotonic count kept by another feature, exported as a Prometheus counter. */
export interface CounterSource {
  name: string;
  help: string;
  read(): number;
}

/** The OpenAPI description of GET /metrics (mounted raw: it answers in the Prometheus text format). */
export const metricsRouteDoc: RawRouteDoc = {
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics (text exposition format)',
  tag: 'telemetry',
  access: ['security', 'auditor'],
  auth: 'telemetry.metricsToken, or the token of an admin, security or auditor user',
  response: z.string(),
  responseContentType: 'text/plain',
};

/** An admin, security or auditor user, through a token whose scopes include `read` (a gateway-only token does not). */
const mayRead = (p: Principal) => hasAnyRole(p, ['security', 'auditor']) && scopeAllows(p.scopes, 'read');

export class PrometheusMetrics {
  readonly registry = new Registry();
  private readonly events: Counter<'kind' | 'app' | 'outcome'>;
  private readonly tokens: Counter<'app' | 'model' | 'direction'>;
  private readonly cost: Counter<'app' | 'model'>;
  private readonly latency: Histogram<'kind' | 'app'>;
  private readonly dlp: Counter<'app' | 'entity'>;
  readonly alertFirings: Counter<'rule' | 'app'>;
  readonly timeToContain: Histogram<'rule' | 'action'>;
  readonly activeKills: Gauge<'scope'>;

  constructor(opts: { defaultMetrics?: boolean; counters?: readonly CounterSource[] } = {}) {
    const registers = [this.registry];
    for (const src of opts.counters ?? []) {
      let seen = 0;
      new Counter({
        name: src.name,
        help: src.help,
        registers,
        // Read at scrape time from the feature that counts (it knows nothing of Prometheus).
        collect() {
          const now = src.read();
          if (now > seen) this.inc(now - seen);
          seen = now;
        },
      });
    }
    this.events = new Counter({
      name: 'gatehouse_events_total',
      help: 'Governed telemetry events by kind, app and outcome',
      labelNames: ['kind', 'app', 'outcome'],
      registers,
    });
    this.tokens = new Counter({
      name: 'gatehouse_model_tokens_total',
      help: 'Model tokens by app, model and direction (input|output)',
      labelNames: ['app', 'model', 'direction'],
      registers,
    });
    this.cost = new Counter({
      name: 'gatehouse_model_cost_usd_total',
      help: 'Model spend in USD by app and model',
      labelNames: ['app', 'model'],
      registers,
    });
    this.latency = new Histogram({
      name: 'gatehouse_latency_ms',
      help: 'Latency of governed calls in milliseconds',
      labelNames: ['kind', 'app'],
      buckets: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000],
      registers,
    });
    this.dlp = new Counter({
      name: 'gatehouse_dlp_detections_total',
      help: 'DLP findings by app and entity type (never values)',
      labelNames: ['app', 'entity'],
      registers,
    });
    this.alertFirings = new Counter({
      name: 'gatehouse_alert_firings_total',
      help: 'Alert rule firings',
      labelNames: ['rule', 'app'],
      registers,
    });
    this.timeToContain = new Histogram({
      name: 'gatehouse_time_to_contain_ms',
      help: 'From the first triggering event to enforcement of an automated action',
      labelNames: ['rule', 'action'],
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 5000, 60000],
      registers,
    });
    this.activeKills = new Gauge({
      name: 'gatehouse_kill_switches_active',
      help: 'Kill switches in force by scope',
      labelNames: ['scope'],
      registers,
    });
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_process_' });
  }

  /** Telemetry listener: counts the event into the families above. */
  readonly onEvent = (e: TelemetryEvent): void => {
    const app = str(e.app);
    const m = e.metrics ?? {};
    this.events.inc({ kind: e.kind, app, outcome: str(e.attrs?.outcome ?? e.attrs?.effect) });
    if (e.model) {
      if (m.tokensIn) this.tokens.inc({ app, model: e.model, direction: 'input' }, m.tokensIn);
      if (m.tokensOut) this.tokens.inc({ app, model: e.model, direction: 'output' }, m.tokensOut);
      if (m.costUsd) this.cost.inc({ app, model: e.model }, m.costUsd);
    }
    if (typeof m.latencyMs === 'number') this.latency.observe({ kind: e.kind, app }, m.latencyMs);
    if (e.kind === 'dlp.detection') {
      for (const entity of entitiesOf(e)) this.dlp.inc({ app, entity }, m.count ?? 1);
    }
  };

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * Mounts GET /metrics. Its labels name apps and their spend, so it is private unless `public` is set: a scrape
   * sends `telemetry.metricsToken`, or a Gatehouse token of an admin, security or auditor user.
   */
  mount(opts: { token?: string; public?: boolean } = {}): Mount {
    return (app, authenticate) => {
      app.get('/metrics', async (c) => {
        const bearer = bearerToken(c);
        const allowed =
          opts.public ||
          (opts.token !== undefined && bearer !== undefined && sameSecret(bearer, opts.token)) ||
          (bearer !== undefined && mayRead((await authenticate(bearer)) ?? NOBODY));
        if (!allowed) {
          const message =
            'GET /metrics needs `Authorization: Bearer <token>`: telemetry.metricsToken, or the token of an admin, ' +
            'security or auditor user (set telemetry.metricsPublic: true to expose it without a token).';
          return c.json({ error: { code: 'unauthenticated', message } }, 401);
        }
        return c.body(await this.text(), 200, { 'content-type': this.registry.contentType });
      });
    };
  }
}

/** Entity types named by a dlp.detection event: `attrs.entity` or the comma-separated `attrs.entities`. */
export function entitiesOf(e: TelemetryEvent): string[] {
  const raw = [e.attrs?.entity, e.attrs?.entities].filter((v) => typeof v === 'string') as string[];
  return raw
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}
