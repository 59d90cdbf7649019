// The readiness checklist `gatehouse doctor` scores (the design brief's 30-day checklist plus the production settings
// docs/deploy.md recommends): pure functions from gathered facts to pass / warn / fail, why, and what fixes it.

import type { DoctorFacts, DoctorItem, DoctorStatus } from './doctor-item.js';
import { adminTokens, audit, backups, killDrill, telemetry, tls } from './operations-checks.js';
import { apps, approvals, catalog, egress, policy } from './inventory-checks.js';

export type { DoctorFacts, DoctorItem, DoctorStatus } from './doctor-item.js';

export function scoreChecks(f: DoctorFacts): DoctorItem[] {
  return [catalog, apps, policy, egress, approvals, telemetry, audit, killDrill, backups, adminTokens, tls].map((c) =>
    c(f),
  );
}

export function doctorSummary(items: DoctorItem[]): { pass: number; warn: number; fail: number; score: number } {
  const n = (s: DoctorStatus) => items.filter((i) => i.status === s).length;
  return {
    pass: n('pass'),
    warn: n('warn'),
    fail: n('fail'),
    score: Math.round(((n('pass') + n('warn') / 2) / items.length) * 100),
  };
}
