// The policy feature in one call: store, engine, decision log, govern(), routes. src/main.ts wires it here.
import type { AppReader } from '../apps/manifest-schema.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { Clock } from '../core/clock.js';
import type { DecisionSink, GateCheck, Governor, LimitOverlay } from '../core/governance.js';
import type { Logger } from '../core/logger.js';
import { repoPath } from '../core/repo-root.js';
import type { AuditSink } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import { createGovernor } from '../govern/governor.js';
import type { AnyRoute } from '../http/route.js';
import type { SqlDb } from '../store/sql-db.js';
import { DecisionLog } from './decision-log.js';
import { policyConfigSchema, type PolicyConfig } from './policy-config.js';
import { readPolicyDir } from './policy-files.js';
import { policyRoutes } from './policy-routes.js';
import { PolicyService, type ApplyResult } from './policy-service.js';
import { PolicyStore } from './policy-store.js';

export interface PolicyFeatureDeps {
  db: SqlDb;
  clock: Clock;
  logger: Logger;
  catalog: CatalogReader;
  apps: AppReader;
  gate?: GateCheck;
  /** Extra decision sinks (audit, telemetry); the decision log is always one. More can be added with addSink(). */
  sinks?: DecisionSink[];
  audit?: AuditSink;
  coord?: Coordination;
  config?: Partial<PolicyConfig>;
}

export interface PolicyFeature {
  governor: Governor;
  engine: PolicyService;
  decisionLog: DecisionLog;
  routes: AnyRoute[];
  addSink(sink: DecisionSink): void;
  /** Sets (or replaces) the kill-switch / flag gate consulted by govern(). */
  setGate(gate: GateCheck | undefined): void;
  /** Sets (or replaces) the temporary limits (caps) govern() merges into allowed decisions. */
  setOverlay(overlay: LimitOverlay | undefined): void;
  /** Applies examples/policies (or `dir`) when no revision is active yet; returns what was applied. */
  seed(actor: string, dir?: string): Promise<ApplyResult | undefined>;
  close(): Promise<void>;
}

export async function createPolicyFeature(deps: PolicyFeatureDeps): Promise<PolicyFeature> {
  const config = policyConfigSchema.parse(deps.config ?? {});
  const store = new PolicyStore(deps.db);
  const decisionLog = new DecisionLog(deps.db, deps.logger, config.decisionLog);
  const engine = new PolicyService({
    store,
    decisionLog,
    clock: deps.clock,
    logger: deps.logger,
    limits: config.limits,
    audit: deps.audit,
    coord: deps.coord,
  });
  await engine.init();
  const sinks: DecisionSink[] = [decisionLog, ...(deps.sinks ?? [])];
  let gate = deps.gate;
  let overlay: LimitOverlay | undefined;
  const governor = createGovernor({
    catalog: deps.catalog,
    apps: deps.apps,
    engine,
    sinks,
    clock: deps.clock,
    logger: deps.logger,
    gate: { check: (req) => gate?.check(req) ?? null },
    overlay: { limitsFor: (req) => overlay?.limitsFor(req) ?? null },
  });
  return {
    governor,
    engine,
    decisionLog,
    routes: policyRoutes(engine, decisionLog, deps.clock),
    addSink: (s) => void sinks.push(s),
    setGate: (g) => {
      gate = g;
    },
    setOverlay: (o) => {
      overlay = o;
    },
    async seed(actor, dir = repoPath('examples', 'policies')) {
      if (!config.seedExamples || (await store.activeRevision())) return undefined;
      return engine.apply(readPolicyDir(dir), actor);
    },
    async close() {
      await engine.close();
      await decisionLog.close();
    },
  };
}
