// Gathers what `gatehouse doctor` scores from the running platform, through narrow ports the composition root fills.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { AppSummary } from '../apps/app-registry.js';
import type { AppVersion } from '../apps/manifest-schema.js';
import type { AlertRuleDoc } from '../telemetry/alert-rule-schema.js';
import type { CheckpointRow } from '../audit/audit-store.js';
import { verifyConsistency, type Hash } from '../audit/merkle.js';
import { openCheckpoint, parseVerifierKey } from '../audit/note.js';
import type { DoctorConfig } from './doctor-config.js';
import type { DoctorFacts } from './doctor-item.js';

export interface DoctorDeps {
  clock: Clock;
  home: string;
  serverHost: string;
  doctor: DoctorConfig;
  slaHours: Record<string, number>;
  otlpEndpoint?: string;
  witness: { file?: string; url?: string };
  catalog: Pick<CatalogReader, 'list'>;
  apps: { list(): Promise<AppSummary[]>; inForce(app: string): Promise<AppVersion | undefined> };
  policySelfTest(): Promise<DoctorFacts['policy']>;
  pendingApprovals(): Promise<{ id: string; app: string; version: number; dueAt?: number | null }[]>;
  alertRules(): AlertRuleDoc[];
  audit: {
    verifierKey: string;
    latestCheckpoint(): Promise<CheckpointRow | undefined>;
    consistencyProof(size1: number, size2: number): Promise<Hash[]>;
  };
  lastKillAt(): Promise<number | undefined>;
  adminTokensWithoutExpiry(): Promise<string[]>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** A host pattern so broad it is no allow-list: a wildcard over a whole top-level domain (`*.com`). */
const tooBroad = (pattern: string) => pattern.startsWith('*.') && !pattern.slice(2).split(':')[0].includes('.');

async function witnessFacts(d: DoctorDeps): Promise<DoctorFacts['audit']> {
  if (d.witness.url)
    return {
      witness: 'url',
      witnessConsistent: true,
      witnessDetail: `each checkpoint is POSTed to ${d.witness.url}, which holds the log to it`,
    };
  if (!d.witness.file) return { witness: 'off', witnessDetail: 'no witness configured' };
  const path = isAbsolute(d.witness.file) ? d.witness.file : join(d.home, d.witness.file);
  const lines = existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter(Boolean) : [];
  const latest = await d.audit.latestCheckpoint();
  if (!lines.length || !latest)
    return {
      witness: 'file',
      witnessDetail: `witness file ${path} has no checkpoint yet (it gets one with the next entry)`,
    };
  try {
    const key = parseVerifierKey(d.audit.verifierKey);
    const w = openCheckpoint((JSON.parse(lines[lines.length - 1]) as { checkpoint: string }).checkpoint, key);
    if (w.size > latest.size) throw new Error(`the witness holds size ${w.size}, beyond the log's ${latest.size}`);
    if (w.size === latest.size) {
      if (!w.root.equals(latest.root)) throw new Error(`different roots at size ${w.size}`);
    } else
      verifyConsistency(w.size, latest.size, await d.audit.consistencyProof(w.size, latest.size), w.root, latest.root);
    return {
      witness: 'file',
      witnessConsistent: true,
      witnessDetail: `witness file ${path}: its checkpoint (size ${w.size}) is consistent with the latest (size ${latest.size})`,
    };
  } catch (err) {
    return {
      witness: 'file',
      witnessConsistent: false,
      witnessDetail: `the latest checkpoint does NOT extend the witness's: ${(err as Error).message}`,
    };
  }
}

export async function gatherFacts(d: DoctorDeps, request: { forwardedProto?: string }): Promise<DoctorFacts> {
  const now = d.clock.now();
  const summaries = await d.apps.list();
  const openEgress: string[] = [];
  for (const a of summaries) {
    const v = await d.apps.inForce(a.name);
    const egress = (v?.manifest.spec as { egress?: string[] } | undefined)?.egress ?? [];
    if (egress.some(tooBroad)) openEgress.push(`${a.name} (${egress.filter(tooBroad).join(', ')})`);
  }
  return {
    now,
    datasets: d.catalog.list('Dataset').map((x) => ({
      name: x.metadata.name,
      owner: x.metadata.owner,
      classification: x.spec.classification,
      taggedColumns: (x.spec.columns ?? []).filter((c) => c.tags.length > 0).length,
    })),
    users: d.catalog.list('User').map((u) => ({ name: u.metadata.name, roles: [...u.spec.roles] })),
    apps: summaries.map((a) => ({
      name: a.name,
      owner: a.owner,
      inForce: a.inForce ?? undefined,
      latestState: a.state,
    })),
    policy: await d.policySelfTest(),
    openEgress,
    approvals: {
      slaHours: d.slaHours,
      overdue: (await d.pendingApprovals())
        .filter((a) => typeof a.dueAt === 'number' && a.dueAt < now)
        .map((a) => ({ id: a.id, app: a.app, version: a.version, dueAt: a.dueAt! })),
    },
    telemetry: { otlpEndpoint: d.otlpEndpoint },
    alertRules: d.alertRules().map((r) => ({
      name: r.metadata.name,
      enabled: r.spec.enabled,
      kinds: [r.spec.match.kind].flat(),
      attrs: r.spec.match.attrs ?? {},
      metric: 'metric' in r.spec.condition ? r.spec.condition.metric : undefined,
      actions: r.spec.actions.map((a) => Object.keys(a)[0]),
    })),
    audit: await witnessFacts(d),
    lastKillAt: await d.lastKillAt(),
    backups: d.doctor.backups,
    adminTokensWithoutExpiry: await d.adminTokensWithoutExpiry(),
    tls: {
      terminatedBy: d.doctor.tlsTerminatedBy,
      forwardedHttps: request.forwardedProto?.split(',')[0].trim().toLowerCase() === 'https',
      loopbackOnly: LOOPBACK.has(d.serverHost),
    },
  };
}
