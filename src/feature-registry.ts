// The feature registries the composition root assembles: every feature's migrations (in apply order) and its
// configuration section. Low modules (store/, config/) import no feature; this file and main.ts do.
import { z } from 'zod';
import { coreConfigShape, loadConfigWith, type ConfigSources } from './config/config.js';
import type { Migration } from './store/sql-db.js';
import { approvalsConfigSchema } from './approvals/approvals-config.js';
import { notifyConfigSchema } from './notify/notify-config.js';
import { dlpConfigSchema } from './dlp/dlp-config.js';
import { auditConfigSchema } from './audit/audit-config.js';
import { policyConfigSchema } from './policy/policy-config.js';
import { telemetryConfigSchema } from './telemetry/telemetry-config.js';
import { rolloutConfigSchema } from './rollout/rollout-config.js';
import { gatewayConfigSchema } from './gateway/gateway-config.js';
import { sandboxConfigSchema } from './sandbox/sandbox-config.js';
import { identityConfigSchema } from './identity/identity-config.js';
import { doctorConfigSchema } from './doctor/doctor-config.js';
import { auditMigrations } from './audit/audit-migrations.js';
import { policyMigrations } from './policy/policy-migrations.js';
import { catalogMigrations } from './catalog/catalog-migrations.js';
import { identityMigrations } from './identity/identity-migrations.js';
import { appMigrations } from './apps/app-migrations.js';
import { gatewayMigrations } from './gateway/gateway-migrations.js';
import { approvalMigrations } from './approvals/approval-migrations.js';
import { telemetryMigrations } from './telemetry/telemetry-migrations.js';
import { rolloutMigrations } from './rollout/rollout-migrations.js';
import { notifyMigrations } from './notify/notify-migrations.js';
import { canaryMigrations } from './canary/canary-migrations.js';
import { canaryConfigSchema } from './canary/canary-config.js';

/** Every feature's migrations, in the order they apply. Add a feature's list at the end; never reorder. */
export const allMigrations: Migration[] = [
  ...catalogMigrations,
  ...identityMigrations,
  ...appMigrations,
  ...gatewayMigrations,
  ...policyMigrations,
  ...auditMigrations,
  ...approvalMigrations,
  ...telemetryMigrations,
  ...rolloutMigrations,
  ...notifyMigrations,
  ...canaryMigrations,
];

/** The whole configuration: the core settings plus one section per feature. */
export const configSchema = z
  .object({
    ...coreConfigShape,
    /** Admission risk weights, tier thresholds, approval quorum and SLAs (docs/approvals.md). */
    approvals: approvalsConfigSchema.prefault({}),
    /** Webhook notifications (approval requested, reminded, escalated, decided). */
    notify: notifyConfigSchema.prefault({}),
    /** DLP threshold, allow-lists, custom detectors and default redaction policy (docs/dlp.md). */
    dlp: dlpConfigSchema.prefault({}),
    /** Audit log: checkpoint origin, witness file, group-commit batch size (docs/audit.md). */
    audit: auditConfigSchema.prefault({}),
    /** Policy engine: condition cost bounds, decision-log batching and masking, example seeding. */
    policy: policyConfigSchema.prefault({}),
    /** Telemetry: aggregate flush, /metrics token, OTLP/HTTP collector (docs/telemetry.md). */
    telemetry: telemetryConfigSchema.prefault({}),
    /** Rollout: snapshot window and alert webhook delivery (docs/rollout.md). */
    rollout: rolloutConfigSchema.prefault({}),
    /** Model gateway: default output cap, upstream timeouts/retries/breaker, DLP modes, sessions (docs/gateway.md). */
    gateway: gatewayConfigSchema.prefault({}),
    /** Sandboxed runtime: run ceilings, dataset row cap, egress caps, microvm provisioning (docs/sandbox.md). */
    sandbox: sandboxConfigSchema.prefault({}),
    /** Identity: API token default expiry, the OIDC identity provider and its role mapping (docs/identity.md). */
    identity: identityConfigSchema.prefault({}),
    /** What `gatehouse doctor` cannot observe: declared backups and the TLS proxy in front (docs/doctor.md). */
    doctor: doctorConfigSchema.prefault({}),
    /** Canary releases: replay store retention, live-stage check interval (docs/canary.md). */
    canary: canaryConfigSchema.prefault({}),
  })
  .strict();

export type GatehouseConfig = z.output<typeof configSchema>;

/** Reads gatehouse.yaml (optional) and env vars into one validated config; a bad value throws with its path. */
export function loadConfig(sources: ConfigSources): GatehouseConfig {
  return loadConfigWith(configSchema, sources);
}
