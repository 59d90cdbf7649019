// One audit entry, one telemetry event and (when a model was called) one cost row per gateway call.
// Never the raw prompt or answer: counts, finding types, and a digest of the prompt.
import { UnavailableError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { AuditEventInput, AuditSink, TelemetrySink } from '../core/sinks.js';
import type { GovernInput } from '../core/governance.js';
import type { CostLedger } from './cost-ledger.js';
import type { Caller } from './gateway-types.js';
import { nanosToUsd } from './tokens.js';
import type { RoutingTrace } from './routing/routing-trace.js';

/** Everything known about one call, filled in as it goes. */
export interface CallFacts {
  caller: Caller;
  traceId?: string;
  requestedModel: string;
  model: string;
  fallbackFrom?: string;
  decisionId?: string;
  /** Whether govern() allowed the call, and what it was asked (a later refusal is recorded against both). */
  decisionAllowed?: boolean;
  governInput?: GovernInput;
  stream: boolean;
  cached: boolean;
  tokensIn: number;
  tokensOut: number;
  costNanos: number;
  promptFindings: Record<string, number>;
  outputFindings: Record<string, number>;
  /** ok | denied | limited | invalid | upstream_error | dlp_blocked | cut_off | error */
  outcome: string;
  reason?: string;
  /** performance.now() at the start. */
  t0: number;
  latencyMs?: number;
  ttftMs?: number;
  upstreamMs: number;
  upstreamStatus?: number;
  calledUpstream: boolean;
  /** The app's daily budget and its cost today after this call (spent or reserved), when it has one. */
  appDailyBudgetNanos?: number;
  appDailyCostNanos?: number;
  /** Tool names offered to the model, and the names of the calls it made (never their arguments). */
  toolsOffered?: string[];
  toolCalls?: string[];
  /** Which deployment served and why the others did not (models with `deployments` only). */
  routing?: RoutingTrace;
}

/** The facts of a call that has just started (nothing counted yet). */
export function newCallFacts(
  caller: Caller,
  model: string,
  o: { requestedModel?: string; fallbackFrom?: string; stream?: boolean; traceId?: string; t0: number },
): CallFacts {
  return {
    caller,
    traceId: o.traceId,
    requestedModel: o.requestedModel ?? model,
    model,
    fallbackFrom: o.fallbackFrom,
    stream: o.stream ?? false,
    cached: false,
    tokensIn: 0,
    tokensOut: 0,
    costNanos: 0,
    promptFindings: {},
    outputFindings: {},
    outcome: 'ok',
    t0: o.t0,
    upstreamMs: 0,
    calledUpstream: false,
  };
}

/**
 * How a call's audit entry relates to its response. `batch`: the response does not wait; entries are handed over
 * every `auditBatchMs`, so a process that dies loses up to that window of answered calls. `sync`: the response
 * completes only once the entry is committed (fsync'd) in the audit log; concurrent calls still share one commit.
 */
export type AuditDurability = 'batch' | 'sync';

export class CallRecorder {
  /** Audit entries waiting for the next batch (auditBatchMs > 0). */
  private auditQueue: AuditEventInput[] = [];
  private auditTimer: NodeJS.Timeout | undefined;

  /**
   * `auditBatchMs` > 0: audit entries are handed to the audit log together every that many ms, so one group commit
   * (one fsync, one signed checkpoint) covers many calls instead of one each. Calls never wait for their entry
   * either way (the answer is already on its way), so this only widens the window in which a crash loses entries.
   */
  constructor(
    private readonly audit: AuditSink,
    private readonly telemetry: TelemetrySink,
    private readonly ledger: CostLedger,
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly auditBatchMs = 0,
    private readonly durability: AuditDurability = 'batch',
  ) {}

  /** Hands every queued audit entry to the audit log now (appended in one synchronous burst: one group commit). */
  flushAudit(): void {
    if (this.auditTimer) clearTimeout(this.auditTimer);
    this.auditTimer = undefined;
    const batch = this.auditQueue;
    this.auditQueue = [];
    for (const e of batch) this.appendAudit(e);
  }

  private appendAudit(e: AuditEventInput): void {
    this.audit
      .append(e)
      .catch((err: unknown) =>
        this.logger.error('gateway audit entry not stored', { decisionId: e.ids?.decisionId, err: String(err) }),
      );
  }

  /** Sync mode: resolves once the entry is committed; a failure is the caller's (the answer must not go out). */
  private async appendDurably(e: AuditEventInput): Promise<void> {
    try {
      await this.audit.append(e);
    } catch (err) {
      this.logger.error('gateway audit entry not stored', { decisionId: e.ids?.decisionId, err: String(err) });
      throw new UnavailableError(
        `The gateway could not make this call's audit entry durable (${(err as Error).message}); the answer was withheld, retry later or run \`gatehouse audit verify\`.`,
        { decisionId: e.ids?.decisionId },
      );
    }
  }

  private queueAudit(e: AuditEventInput): Promise<void> | undefined {
    if (this.durability === 'sync') return this.appendDurably(e);
    if (this.auditBatchMs <= 0) {
      this.appendAudit(e);
      return undefined;
    }
    this.auditQueue.push(e);
    if (this.auditQueue.length >= MAX_AUDIT_BATCH) this.flushAudit();
    else this.auditTimer ??= setTimeout(() => this.flushAudit(), this.auditBatchMs);
    return undefined;
  }

  /** Records the call; in sync mode the promise resolves once its audit entry is durable (rejects if it cannot be). */
  record(f: CallFacts): Promise<void> {
    const c = f.caller;
    const costUsd = nanosToUsd(f.costNanos);
    const ids = {
      ...(f.decisionId ? { decisionId: f.decisionId } : {}),
      ...(f.traceId ? { traceId: f.traceId } : {}),
      ...(c.runId ? { runId: c.runId } : {}),
    };
    const durable = this.queueAudit({
      type: 'model.invocation',
      actor: c.user,
      app: c.app,
      appVersion: c.version.version,
      ids,
      data: {
        model: f.model,
        requestedModel: f.requestedModel,
        ...(f.fallbackFrom ? { fallbackFrom: f.fallbackFrom } : {}),
        session: c.session ?? null,
        via: c.via,
        ...(c.key ? { keyId: c.key.id, ...keyMeta(c) } : {}),
        stream: f.stream,
        cached: f.cached,
        tokensIn: f.tokensIn,
        tokensOut: f.tokensOut,
        costUsd,
        dlp: { prompt: f.promptFindings, output: f.outputFindings },
        ...(f.toolsOffered?.length || f.toolCalls?.length
          ? { tools: { offered: f.toolsOffered ?? [], called: f.toolCalls ?? [], calls: f.toolCalls?.length ?? 0 } }
          : {}),
        outcome: f.outcome,
        ...(f.reason ? { reason: f.reason } : {}),
        ...(f.routing ? { routing: f.routing } : {}),
      },
    });
    const types = [...new Set([...Object.keys(f.promptFindings), ...Object.keys(f.outputFindings)])].sort().join(',');
    this.telemetry.emit({
      kind: 'model.invocation',
      time: this.now(),
      app: c.app,
      appVersion: c.version.version,
      user: c.user,
      model: f.model,
      ids,
      metrics: {
        tokensIn: f.tokensIn,
        tokensOut: f.tokensOut,
        costUsd,
        latencyMs: f.latencyMs ?? 0,
        ...(f.ttftMs !== undefined ? { ttftMs: f.ttftMs } : {}),
        overheadMs: Math.max(0, (f.latencyMs ?? 0) - f.upstreamMs),
        ...(f.toolsOffered?.length ? { toolsOffered: f.toolsOffered.length } : {}),
        ...(f.toolCalls?.length ? { toolCalls: f.toolCalls.length } : {}),
        dlpFindings:
          Object.values(f.promptFindings).reduce((a, b) => a + b, 0) +
          Object.values(f.outputFindings).reduce((a, b) => a + b, 0),
        // For the cost_over_budget_pct alert condition: the day's spend against the budget, as the budget sees it.
        ...(f.appDailyBudgetNanos !== undefined && f.appDailyCostNanos !== undefined
          ? { appDailyBudgetUsd: nanosToUsd(f.appDailyBudgetNanos), appDailyCostUsd: nanosToUsd(f.appDailyCostNanos) }
          : {}),
        // Per-type counts, so alert rules count occurrences (three SSNs in one answer are three detections).
        ...prefixed(f.promptFindings, 'dlp.prompt.'),
        ...prefixed(f.outputFindings, 'dlp.output.'),
      },
      attrs: {
        outcome: f.outcome,
        stream: f.stream,
        cached: f.cached,
        ...(f.upstreamStatus !== undefined ? { upstreamStatus: f.upstreamStatus } : {}),
        ...(f.fallbackFrom ? { fallbackFrom: f.fallbackFrom } : {}),
        ...(f.routing?.served ? { deployment: f.routing.served } : {}),
        ...(types ? { entityTypes: types } : {}),
        ...typeList(f.promptFindings, 'promptEntityTypes'),
        ...typeList(f.outputFindings, 'outputEntityTypes'),
        ...(c.session ? { session: c.session } : {}),
        ...(c.key ? { keyId: c.key.id, ...keyMeta(c) } : {}),
        ...(f.toolCalls?.length ? { toolNames: [...new Set(f.toolCalls)].sort().join(',') } : {}),
      },
    });
    if (f.calledUpstream || f.cached) {
      this.ledger.add({
        time: this.now(),
        decisionId: f.decisionId,
        app: c.app,
        appVersion: c.version.version,
        user: c.user,
        session: c.session,
        model: f.model,
        tokensIn: f.tokensIn,
        tokensOut: f.tokensOut,
        costNanos: f.costNanos,
        outcome: f.outcome,
        ...(c.key ? { keyId: c.key.id, ...keyMeta(c) } : {}),
      });
    }
    // Sync mode also stores the cost row before the answer: budgets restart from the ledger, so a row lost in a
    // crash would be spend forgotten (an overspend after restart when counters are not in Redis).
    if (durable && (f.calledUpstream || f.cached)) return Promise.all([durable, this.ledger.flush()]).then(() => {});
    return durable ?? Promise.resolve();
  }
}

/** A key's team and cost center, for cost rows, audit and telemetry (labels stay on the key). */
function keyMeta(c: Caller): { team?: string; costCenter?: string } {
  const m = c.key?.metadata;
  return { ...(m?.team ? { team: m.team } : {}), ...(m?.costCenter ? { costCenter: m.costCenter } : {}) };
}

/** Most entries queued before they are handed over without waiting for the timer. */
const MAX_AUDIT_BATCH = 2000;

function typeList(findings: Record<string, number>, key: string): Record<string, string> {
  const types = Object.keys(findings)
    .filter((t) => findings[t] > 0)
    .sort();
  return types.length ? { [key]: types.join(',') } : {};
}

function prefixed(findings: Record<string, number>, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [t, n] of Object.entries(findings)) if (n > 0) out[prefix + t] = n;
  return out;
}
