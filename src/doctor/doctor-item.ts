// What the doctor's checks read (DoctorFacts) and return (DoctorItem), and the helpers they share.

export type DoctorStatus = 'pass' | 'warn' | 'fail';

export interface DoctorItem {
  id: string;
  title: string;
  status: DoctorStatus;
  why: string;
  /** The command or setting that fixes it (empty when passing). */
  fix: string;
}

export interface DoctorFacts {
  now: number;
  datasets: { name: string; owner?: string; classification?: string; taggedColumns: number }[];
  users: { name: string; roles: string[] }[];
  apps: { name: string; owner?: string; inForce?: number; latestState?: string }[];
  policy: { revision: string; policies: number; tests: number; failed: string[]; loadError?: string };
  /** Apps in force whose spec.egress lets them reach any host. */
  openEgress: string[];
  approvals: {
    slaHours: Record<string, number>;
    overdue: { id: string; app: string; version: number; dueAt: number }[];
  };
  telemetry: { otlpEndpoint?: string };
  alertRules: {
    name: string;
    enabled: boolean;
    kinds: string[];
    attrs: Record<string, unknown>;
    metric?: string;
    actions: string[];
  }[];
  audit: { witness: 'file' | 'url' | 'off'; witnessConsistent?: boolean; witnessDetail: string };
  lastKillAt?: number;
  backups?: string;
  adminTokensWithoutExpiry: string[];
  tls: { terminatedBy?: string; forwardedHttps: boolean; loopbackOnly: boolean };
}

export const DAY = 86_400_000;
export const item = (id: string, title: string, status: DoctorStatus, why: string, fix = ''): DoctorItem => ({
  id,
  title,
  status,
  why,
  fix: status === 'pass' ? '' : fix,
});
export const list = (xs: string[], n = 5) =>
  xs.slice(0, n).join(', ') + (xs.length > n ? ` and ${xs.length - n} more` : '');
