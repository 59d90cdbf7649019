// Contracts for the audit log and telemetry, so any feature can record without knowing their internals.

/** Ids that link audit entries and telemetry events to each other. */
export interface LinkIds {
  decisionId?: string;
  approvalId?: string;
  rollbackId?: string;
  runId?: string;
  snapshotId?: string;
  alertId?: string;
  traceId?: string;
}

export interface AuditEventInput {
  /** Dotted event type: decision, approval.granted, app.lifecycle, policy.activated, catalog.changed, kill.set ... */
  type: string;
  /** Who caused it (user name or `system`). */
  actor: string;
  app?: string;
  appVersion?: number;
  ids?: LinkIds;
  /** Event facts. Never raw prompts, PII values or query rows: hash or reference them. */
  data: Record<string, unknown>;
}

export interface AuditSink {
  /** Appends durably; resolves once the entry is stored (and covered by a checkpoint shortly after). */
  append(event: AuditEventInput): Promise<{ index: number }>;
}

export interface TelemetryEvent {
  /** model.invocation, data.access, egress, dlp.detection, run, capability, decision, error ... */
  kind: string;
  time: number;
  app?: string;
  appVersion?: number;
  user?: string;
  model?: string;
  connector?: string;
  dataset?: string;
  ids?: LinkIds;
  /** Numbers that aggregate: tokensIn, tokensOut, costUsd, latencyMs, ttftMs, rows, count ... */
  metrics?: Record<string, number>;
  /** Small labels: outcome, effect, entity types, status, host ... (already DLP-safe). */
  attrs?: Record<string, string | number | boolean>;
}

export interface TelemetrySink {
  emit(event: TelemetryEvent): void;
}

export const nullAuditSink: AuditSink = { append: async () => ({ index: -1 }) };
export const nullTelemetrySink: TelemetrySink = { emit: () => {} };
