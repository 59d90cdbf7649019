// A decision sink of govern() that writes decisions to the verifiable audit log: every enforcing refusal or limit,
// and every allow of an action that touches the outside (model call, data query, egress, connector, run).
import type { Decision, DecisionSink, GovernanceRequest } from '../core/governance.js';
import { canonicalJson } from '../core/hash.js';
import type { Logger } from '../core/logger.js';
import type { AuditSink } from '../core/sinks.js';

/** Allowed actions worth an audit entry: each one spends money, moves data or runs code. */
export const AUDITED_ALLOWS: ReadonlySet<string> = new Set([
  'model.invoke',
  'data.query',
  'net.egress',
  'connector.call',
  'app.run',
]);

/** True for what reaches the audit log: enforcing deny/require_approval, limited allows, and AUDITED_ALLOWS. */
export function isAudited(d: Decision, action: string): boolean {
  if (d.effect === 'deny' || d.effect === 'require_approval') return true;
  if (d.matched.some((m) => m.mode === 'enforce' && m.effect === 'limit')) return true;
  return AUDITED_ALLOWS.has(action);
}

export interface DecisionAuditSinkDeps {
  audit: AuditSink;
  /** Salted hash for values that must be provable but not readable (AuditLog.hashSensitive). */
  hash: (value: string) => string;
  logger: Logger;
}

export class DecisionAuditSink implements DecisionSink {
  /** Entries the audit log refused (a damaged or closed log); also logged. */
  failed = 0;

  constructor(private readonly d: DecisionAuditSinkDeps) {}

  record(decision: Decision, req: GovernanceRequest): void {
    if (!isAudited(decision, req.action)) return;
    let inputHash: string;
    try {
      inputHash = this.d.hash(canonicalJson(req.request ?? {}));
    } catch {
      inputHash = 'unhashable';
    }
    this.d.audit
      .append({
        type: 'decision',
        actor: req.subject.user,
        ...((req.app?.name ?? req.subject.app) ? { app: req.app?.name ?? req.subject.app } : {}),
        ...((req.app?.version ?? req.subject.appVersion)
          ? { appVersion: req.app?.version ?? req.subject.appVersion }
          : {}),
        ids: { decisionId: decision.id, ...(req.traceId ? { traceId: req.traceId } : {}) },
        data: {
          action: req.action,
          resource: { type: req.resource.type, id: req.resource.id },
          effect: decision.effect,
          reason: decision.reason,
          policies: decision.matched.map((m) => ({ policy: m.policy, effect: m.effect, mode: m.mode })),
          obligations: decision.obligations,
          bundleRevision: decision.bundleRevision,
          ...(decision.refusal ? { refusal: decision.refusal } : {}),
          // The request itself may hold prompts or values: its salted hash proves what was decided on.
          inputHash,
        },
      })
      .catch((err: unknown) => {
        this.failed++;
        this.d.logger.error('decision not written to the audit log', {
          decisionId: decision.id,
          error: (err as Error).message,
        });
      });
  }
}
