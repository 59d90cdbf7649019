// The canary feature's wiring for src/main.ts, in two steps because the sandbox sits between them: the run router
// and replay store go into the sandbox's runner; the service, built after it, replays through that runner.
import type { AppReader } from '../apps/manifest-schema.js';
import type { TransitionInput, TransitionResult } from '../apps/lifecycle.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { Clock } from '../core/clock.js';
import { parseDuration } from '../core/duration.js';
import type { CutSignalFor } from '../core/governance.js';
import type { Logger } from '../core/logger.js';
import type { AuditSink } from '../core/sinks.js';
import type { DataSources } from '../data/data-sources.js';
import type { DlpEngine } from '../dlp/types.js';
import type { AnyRoute } from '../http/route.js';
import type { Notifier } from '../notify/webhook-notifier.js';
import type { FlagService } from '../rollout/flags.js';
import type { Releases } from '../rollout/release.js';
import type { AppRunner } from '../sandbox/app-runner.js';
import type { SqlDb } from '../store/sql-db.js';
import type { CanaryConfig } from './canary-config.js';
import { canaryRoutes } from './canary-routes.js';
import { CanaryService } from './canary-service.js';
import { CanaryTraffic } from './canary-traffic.js';
import { ReplayStore } from './replay-store.js';

export interface CanaryRouting {
  traffic: CanaryTraffic;
  replayStore: ReplayStore;
  scan: (text: string) => string[];
}

export function createCanaryRouting(d: {
  db: SqlDb;
  clock: Clock;
  audit: AuditSink;
  apps: Pick<AppReader, 'inForce'>;
  dlp: DlpEngine;
  hash: (text: string) => string;
  /** Rollout flags: each live stage's share is the canary's own flag row. */
  flags: Pick<FlagService, 'get' | 'set' | 'evaluate'>;
  config: CanaryConfig;
}): CanaryRouting {
  const scan = (text: string) => d.dlp.scan(text).map((f) => f.type);
  const replayStore = new ReplayStore({
    db: d.db,
    audit: d.audit,
    clock: d.clock,
    // Through the NER-aware entry point (rules + `dlp.ner`): a backend that cannot answer fails the record closed.
    mask: async (text) => (await d.dlp.redactAsync(text, { default: 'mask' })).text,
    hash: d.hash,
    retentionMs: parseDuration(d.config.replayRetention, 'canary.replayRetention'),
    maxPerApp: d.config.replayMaxPerApp,
  });
  const traffic = new CanaryTraffic({
    db: d.db,
    clock: d.clock,
    apps: d.apps,
    replay: replayStore,
    scan,
    flags: d.flags,
  });
  return { traffic, replayStore, scan };
}

export interface CanaryFeature {
  service: CanaryService;
  routes: AnyRoute[];
  close(): void;
}

export async function createCanaryFeature(d: {
  routing: CanaryRouting;
  db: SqlDb;
  clock: Clock;
  logger: Logger;
  audit: AuditSink;
  apps: Pick<AppReader, 'listVersions' | 'inForce'>;
  catalog: CatalogReader;
  releases: Releases;
  lifecycle: { transition(t: TransitionInput): Promise<TransitionResult> };
  snapshots: { take(app: string, reason: string, actor: string): Promise<{ id: string }> };
  runner: Pick<AppRunner, 'run'>;
  home: string;
  sources?: DataSources;
  notifier: Notifier;
  cutSignal?: CutSignalFor;
  config: CanaryConfig;
}): Promise<CanaryFeature> {
  const service = new CanaryService({
    db: d.db,
    clock: d.clock,
    logger: d.logger,
    audit: d.audit,
    apps: d.apps,
    releases: d.releases,
    lifecycle: d.lifecycle,
    snapshots: d.snapshots,
    traffic: d.routing.traffic,
    replayStore: d.routing.replayStore,
    replay: {
      catalog: d.catalog,
      audit: d.audit,
      home: d.home,
      sources: d.sources,
      run: (req) => d.runner.run(req),
      scan: d.routing.scan,
    },
    notifier: d.notifier,
    cutSignal: d.cutSignal,
  });
  await service.resume();
  const timer = setInterval(() => {
    service.tick().catch((err: Error) => d.logger.warn('canary: stage check failed', { error: err.message }));
  }, d.config.tickSeconds * 1000);
  timer.unref();
  return {
    service,
    routes: canaryRoutes(service, {
      catalog: d.catalog,
      home: d.home,
      sources: d.sources,
      audit: d.audit,
      clock: d.clock,
    }),
    close: () => clearInterval(timer),
  };
}
