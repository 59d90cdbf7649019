// Risk scoring: turns the manifest, catalog facts, check findings and the policy decision into itemized factors and a tier.
import type { AppManifest } from '../apps/manifest-schema.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import { regionAllowed, residencyOf } from '../catalog/residency.js';
import type { Role } from '../identity/principal.js';
import type { ApprovalsConfig } from '../approvals/approvals-config.js';
import type { Finding, RiskAssessment, RiskFactor, RiskTier } from './admission-types.js';
import { hostAllowed, hostOf } from './hosts.js';
import { factorText, type FactorParams } from './risk-factor-texts.js';

/** A factor's reason and fix, from the one home of their words (the guide renders the same entries). */
const say = (kind: string, p: FactorParams = {}): [string, string] => {
  const t = factorText(kind);
  return [t.reason(p), t.fix(p)];
};

const PII_TAGS = new Set(['pii', 'sensitive', 'phi', 'pci', 'secret']);

export interface PolicyOutcome {
  effect: 'allow' | 'deny' | 'require_approval';
  reason: string;
  warnings: string[];
}

export function tierFor(score: number, tiers: ApprovalsConfig['tiers']): RiskTier {
  if (score >= tiers.critical) return 'critical';
  if (score >= tiers.high) return 'high';
  if (score >= tiers.medium) return 'medium';
  return 'low';
}

/** Hosts covered by approved connectors' endpoints (egress to them needs no security review). */
function approvedHosts(catalog: CatalogReader): string[] {
  return catalog
    .list('Connector')
    .filter((c) => c.spec.approved)
    .flatMap((c) => c.spec.endpoints.map((e) => hostOf(e) ?? e));
}

/** Scores a candidate version. Pure: same inputs, same factors. */
export function scoreRisk(
  m: AppManifest,
  catalog: CatalogReader,
  findings: readonly Finding[],
  policy: PolicyOutcome,
  cfg: ApprovalsConfig,
): RiskAssessment {
  const w = cfg.weights;
  const factors: RiskFactor[] = [];
  const add = (id: string, points: number, [reason, fix]: [string, string], roles: Role[] = [], owner?: string) => {
    if (points <= 0 && roles.length === 0) return;
    factors.push({
      id,
      points,
      reason,
      fix: points > 0 ? `${fix} (-${points})` : fix,
      roles,
      ...(owner ? { owner } : {}),
    });
  };
  const region = m.spec.region;

  m.spec.data.forEach((d, i) => {
    const ds = catalog.dataset(d.dataset);
    if (!ds) return; // catalog resolution refuses unknown datasets before admission
    const cls = ds.spec.classification;
    const ownerRoles: Role[] = cls === 'pii' || cls === 'regulated' ? ['data_owner'] : [];
    if (cls === 'regulated') ownerRoles.push('legal');
    add(
      `dataset.${cls}:${d.dataset}`,
      w.datasetClassification[cls],
      say('dataset.classification', {
        dataset: d.dataset,
        cls,
        owner: ownerRoles.length ? ds.metadata.owner : '',
        purpose: m.spec.purpose,
      }),
      ownerRoles,
      ownerRoles.includes('data_owner') ? ds.metadata.owner : undefined,
    );
    const tagged = new Map(
      ds.spec.columns.filter((c) => c.tags.some((t) => PII_TAGS.has(t.toLowerCase()))).map((c) => [c.name, c.tags]),
    );
    if (d.columns.length === 0 && cls !== 'public' && cls !== 'internal') {
      add(
        `dataset.all-columns:${d.dataset}`,
        w.allColumns,
        say('dataset.all-columns', { dataset: d.dataset, tagged: [...tagged.keys()].join(', '), i: String(i) }),
      );
    }
    for (const c of d.columns.filter((c) => tagged.has(c))) {
      add(
        `column.pii:${d.dataset}.${c}`,
        w.piiColumn,
        say('column.pii', { column: c, dataset: d.dataset, tags: tagged.get(c)!.join(', '), i: String(i) }),
      );
    }
    if (d.access === 'write')
      add(
        `dataset.write:${d.dataset}`,
        w.writeAccess,
        say('dataset.write', { dataset: d.dataset }),
        ownerRoles.includes('data_owner') ? ['data_owner'] : [],
        ownerRoles.includes('data_owner') ? ds.metadata.owner : undefined,
      );
    if (ds.spec.region !== region && cls !== 'public')
      add(
        `region.dataset:${d.dataset}`,
        w.crossRegion,
        say('region.dataset', { dataset: d.dataset, from: ds.spec.region, region }),
        ['legal'],
      );
  });

  for (const c of m.spec.connectors) {
    const conn = catalog.connector(c.id);
    if (!conn) continue;
    if (conn.spec.sensitive)
      add(`connector.sensitive:${c.id}`, w.sensitiveConnector, say('connector.sensitive', { connector: c.id }), [
        'security',
      ]);
    if (!conn.spec.approved)
      add(`connector.unapproved:${c.id}`, w.unapprovedConnector, say('connector.unapproved', { connector: c.id }), [
        'security',
      ]);
    if (conn.spec.region && conn.spec.region !== region)
      add(
        `region.connector:${c.id}`,
        w.crossRegion,
        say('region.connector', { connector: c.id, from: conn.spec.region, region }),
        ['legal'],
      );
  }

  const approved = approvedHosts(catalog);
  for (const h of m.spec.egress) {
    const host = hostOf(h) ?? h;
    // A wildcard egress is never covered: it could reach any subdomain.
    const covered = !host.startsWith('*.') && hostAllowed(host, approved);
    if (!covered) {
      add(`egress.unapproved:${host}`, w.unapprovedEgress, say('egress.unapproved', { host }), ['security']);
    }
  }

  // Residency matters for non-public data only (the same rule gateway routing enforces per deployment).
  const residency = residencyOf(m.spec, catalog);
  for (const mod of m.spec.models) {
    const md = catalog.model(mod.id);
    if (!md) continue;
    add(`model.risk:${mod.id}`, w.modelRisk[md.spec.risk], say('model.risk', { model: mod.id, risk: md.spec.risk }));
    if (!regionAllowed(residency, md.spec.region))
      add(
        `region.model:${mod.id}`,
        w.crossRegion,
        say('region.model', { model: mod.id, from: md.spec.region, region }),
        ['legal'],
      );
  }

  add(
    `environment:${m.spec.environment}`,
    w.environment[m.spec.environment],
    say('environment', { environment: m.spec.environment }),
  );
  if (m.spec.models.length > 0 && m.spec.budgets?.dailyCostUsd === undefined)
    add('budget.missing', w.noBudget, say('budget.missing'));

  const byRule = new Map<string, Finding[]>();
  for (const f of findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  const ruleFactor = (rule: string, points: number, roles: Role[]) => {
    const fs = byRule.get(rule);
    if (!fs) return;
    const where = fs
      .slice(0, 3)
      .map((f) => (f.line ? `${f.file}:${f.line}` : (f.path ?? f.file)))
      .join(', ');
    const places = `${fs.length} place${fs.length > 1 ? 's' : ''}: ${where}${fs.length > 3 ? ', ...' : ''}`;
    add(`code.${rule}`, points, say(`code.${rule}`, { places, fix: fs[0].fix }), roles);
  };
  ruleFactor('dynamic-code', w.dynamicCode, ['security']);
  ruleFactor('ambient-api', w.ambientApi, ['security']);
  ruleFactor('syntax-error', w.ambientApi, ['security']);
  ruleFactor('missing-file', w.ambientApi, []);
  ruleFactor('undeclared-host', w.undeclaredHost, ['security']);
  ruleFactor('undeclared-model', w.undeclaredResource, []);
  ruleFactor('undeclared-dataset', w.undeclaredResource, []);
  const pii = findings.filter((f) => f.check === 'pii');
  if (pii.length) {
    const where = pii
      .slice(0, 3)
      .map((f) => (f.line ? `${f.file}:${f.line}` : f.path))
      .join(', ');
    add('pii.in-text', w.piiInText, say('pii.in-text', { where, fix: pii[0].fix }), ['security']);
  }
  policy.warnings.forEach((warning, i) =>
    add(`policy.warning:${i + 1}`, w.policyWarning, say('policy.warning', { warning })),
  );

  const score = Math.min(
    100,
    factors.reduce((s, f) => s + f.points, 0),
  );
  let tier = tierFor(score, cfg.tiers);
  if (policy.effect === 'require_approval') {
    const [reason, fix] = say('policy.require_approval', { reason: policy.reason });
    factors.push({ id: 'policy.require_approval', points: 0, reason, fix, roles: [] });
    if (tier === 'low') tier = 'medium';
  }
  factors.sort((a, b) => b.points - a.points || a.id.localeCompare(b.id));
  return { score, tier, factors };
}
