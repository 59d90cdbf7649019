// The policy feature in one call: store, engine, decision log, routes. main.ts builds govern() from its engine.
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { repoPath } from '../core/repo-root.js';
import type { AuditSink } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
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
  audit?: AuditSink;
  coord?: Coordination;
  config?: Partial<PolicyConfig>;
}

export interface PolicyFeature {
  /** The policy decision point govern() consults (step 3). */
  engine: PolicyService;
  /** Every decision govern() makes, queryable (`gatehouse decisions`); one of govern()'s sinks. */
  decisionLog: DecisionLog;
  routes: AnyRoute[];
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
  return {
    engine,
    decisionLog,
    routes: policyRoutes(engine, decisionLog, deps.clock),
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
