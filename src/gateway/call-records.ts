// One audit entry, one telemetry event and (when a model was called) one cost row per gateway call.
// Never the raw prompt or answer: counts, finding types, and a digest of the prompt.
import type { Logger } from '../core/logger.js';
import type { AuditSink, TelemetrySink } from '../core/sinks.js';
import type { CostLedger } from './cost-ledger.js';
import type { Caller } from './gateway-types.js';
import { nanosToUsd } from './tokens.js';

/** Everything known about one call, filled in as it goes. */
export interface CallFacts {
  caller: Caller;
  traceId?: string;
  requestedModel: string;
  model: string;
  fallbackFrom?: string;
  decisionId?: string;
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
}

export class CallRecorder {
  constructor(private readonly audit: AuditSink, private readonly telemetry: TelemetrySink, private readonly ledger: CostLedger, private readonly logger: Logger, private readonly now: () => number) {}

  record(f: CallFacts): void {
    const c = f.caller;
    const costUsd = nanosToUsd(f.costNanos);
    const ids = { ...(f.decisionId ? { decisionId: f.decisionId } : {}), ...(f.traceId ? { traceId: f.traceId } : {}), ...(c.runId ? { runId: c.runId } : {}) };
    this.audit.append({
      type: 'model.invocation',
      actor: c.user,
      app: c.app,
      appVersion: c.version.version,
      ids,
      data: {
        model: f.model, requestedModel: f.requestedModel, ...(f.fallbackFrom ? { fallbackFrom: f.fallbackFrom } : {}),
        session: c.session ?? null, via: c.via, stream: f.stream, cached: f.cached,
        tokensIn: f.tokensIn, tokensOut: f.tokensOut, costUsd,
        dlp: { prompt: f.promptFindings, output: f.outputFindings },
        outcome: f.outcome, ...(f.reason ? { reason: f.reason } : {}),
      },
    }).catch((err: unknown) => this.logger.error('gateway audit entry not stored', { decisionId: f.decisionId, err: String(err) }));
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
        tokensIn: f.tokensIn, tokensOut: f.tokensOut, costUsd,
        latencyMs: f.latencyMs ?? 0, ...(f.ttftMs !== undefined ? { ttftMs: f.ttftMs } : {}),
        overheadMs: Math.max(0, (f.latencyMs ?? 0) - f.upstreamMs),
        dlpFindings: Object.values(f.promptFindings).reduce((a, b) => a + b, 0) + Object.values(f.outputFindings).reduce((a, b) => a + b, 0),
        // Per-type counts, so alert rules count occurrences (three SSNs in one answer are three detections).
        ...prefixed(f.promptFindings, 'dlp.prompt.'),
        ...prefixed(f.outputFindings, 'dlp.output.'),
      },
      attrs: {
        outcome: f.outcome, stream: f.stream, cached: f.cached,
        ...(f.upstreamStatus !== undefined ? { upstreamStatus: f.upstreamStatus } : {}),
        ...(f.fallbackFrom ? { fallbackFrom: f.fallbackFrom } : {}),
        ...(types ? { entityTypes: types } : {}),
        ...typeList(f.promptFindings, 'promptEntityTypes'),
        ...typeList(f.outputFindings, 'outputEntityTypes'),
        ...(c.session ? { session: c.session } : {}),
      },
    });
    if (f.calledUpstream || f.cached) {
      this.ledger.add({ time: this.now(), decisionId: f.decisionId, app: c.app, appVersion: c.version.version, user: c.user, session: c.session, model: f.model, tokensIn: f.tokensIn, tokensOut: f.tokensOut, costNanos: f.costNanos, outcome: f.outcome });
    }
  }
}

function typeList(findings: Record<string, number>, key: string): Record<string, string> {
  const types = Object.keys(findings).filter((t) => findings[t] > 0).sort();
  return types.length ? { [key]: types.join(',') } : {};
}

function prefixed(findings: Record<string, number>, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [t, n] of Object.entries(findings)) if (n > 0) out[prefix + t] = n;
  return out;
}
