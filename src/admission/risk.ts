// Risk scoring: turns the manifest, catalog facts, check findings and the policy decision into itemized factors and a tier.
import type { AppManifest } from '../apps/manifest-schema.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import { regionAllowed, residencyOf } from '../catalog/residency.js';
import type { Role } from '../identity/principal.js';
import type { ApprovalsConfig } from '../approvals/approvals-config.js';
import type { Finding, RiskAssessment, RiskFactor, RiskTier } from './admission-types.js';
import { hostAllowed, hostOf } from './hosts.js';

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
  const add = (id: string, points: number, reason: string, fix: string, roles: Role[] = [], owner?: string) => {
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
      `Reads ${d.dataset}, classified ${cls}${ownerRoles.length ? `; its owner ${ds.metadata.owner} must sign off` : ''}.`,
      `Use a de-identified or lower-classified dataset if "${m.spec.purpose}" does not need ${cls} data`,
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
        `Reads every column of ${d.dataset}${tagged.size ? `, including ${[...tagged.keys()].join(', ')}` : ''}.`,
        `List only the columns the app needs in spec.data[${i}].columns`,
      );
    }
    for (const c of d.columns.filter((c) => tagged.has(c))) {
      add(
        `column.pii:${d.dataset}.${c}`,
        w.piiColumn,
        `Reads the ${c} column of ${d.dataset}, tagged ${tagged.get(c)!.join(', ')}.`,
        `Drop the ${c} column from spec.data[${i}].columns if the app does not need it`,
      );
    }
    if (d.access === 'write')
      add(
        `dataset.write:${d.dataset}`,
        w.writeAccess,
        `Writes to ${d.dataset}; a bad model answer could change stored data.`,
        `Use access: read if the app only needs to read ${d.dataset}`,
        ownerRoles.includes('data_owner') ? ['data_owner'] : [],
        ownerRoles.includes('data_owner') ? ds.metadata.owner : undefined,
      );
    if (ds.spec.region !== region && cls !== 'public')
      add(
        `region.dataset:${d.dataset}`,
        w.crossRegion,
        `Moves data from ${d.dataset} in ${ds.spec.region} to an app running in ${region}.`,
        `Run the app in ${ds.spec.region} (spec.region) or use a dataset held in ${region}`,
        ['legal'],
      );
  });

  for (const c of m.spec.connectors) {
    const conn = catalog.connector(c.id);
    if (!conn) continue;
    if (conn.spec.sensitive)
      add(
        `connector.sensitive:${c.id}`,
        w.sensitiveConnector,
        `Uses ${c.id}, a connector marked sensitive.`,
        `Use a non-sensitive connector if one serves the purpose`,
        ['security'],
      );
    if (!conn.spec.approved)
      add(
        `connector.unapproved:${c.id}`,
        w.unapprovedConnector,
        `Uses ${c.id}, a connector security has not approved yet.`,
        `Use an approved connector instead, or ask security to approve ${c.id}`,
        ['security'],
      );
    if (conn.spec.region && conn.spec.region !== region)
      add(
        `region.connector:${c.id}`,
        w.crossRegion,
        `Sends data through ${c.id} in ${conn.spec.region} from an app in ${region}.`,
        `Use a connector in ${region}`,
        ['legal'],
      );
  }

  const approved = approvedHosts(catalog);
  for (const h of m.spec.egress) {
    const host = hostOf(h) ?? h;
    // A wildcard egress is never covered: it could reach any subdomain.
    const covered = !host.startsWith('*.') && hostAllowed(host, approved);
    if (!covered) {
      add(
        `egress.unapproved:${host}`,
        w.unapprovedEgress,
        `Sends requests to ${host}, which no approved connector covers: data could leave the company.`,
        `Remove ${host} from spec.egress, or reach it through an approved connector`,
        ['security'],
      );
    }
  }

  // Residency matters for non-public data only (the same rule gateway routing enforces per deployment).
  const residency = residencyOf(m.spec, catalog);
  for (const mod of m.spec.models) {
    const md = catalog.model(mod.id);
    if (!md) continue;
    add(
      `model.risk:${mod.id}`,
      w.modelRisk[md.spec.risk],
      `Uses ${mod.id}, rated ${md.spec.risk} risk in the model registry.`,
      `Use a model rated low risk if it does the job`,
    );
    if (!regionAllowed(residency, md.spec.region))
      add(
        `region.model:${mod.id}`,
        w.crossRegion,
        `Sends prompts with company data to ${mod.id} in ${md.spec.region} from an app in ${region}.`,
        `Use a model hosted in ${region}`,
        ['legal'],
      );
  }

  add(
    `environment:${m.spec.environment}`,
    w.environment[m.spec.environment],
    `Runs in ${m.spec.environment}, where it reaches real users and data.`,
    `Try it in dev first`,
  );
  if (m.spec.models.length > 0 && m.spec.budgets?.dailyCostUsd === undefined)
    add('budget.missing', w.noBudget, 'Calls models with no daily cost cap.', 'Set spec.budgets.dailyCostUsd');

  const byRule = new Map<string, Finding[]>();
  for (const f of findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  const ruleFactor = (rule: string, points: number, reason: string, roles: Role[]) => {
    const fs = byRule.get(rule);
    if (!fs) return;
    const where = fs
      .slice(0, 3)
      .map((f) => (f.line ? `${f.file}:${f.line}` : (f.path ?? f.file)))
      .join(', ');
    add(
      `code.${rule}`,
      points,
      `${reason} (${fs.length} place${fs.length > 1 ? 's' : ''}: ${where}${fs.length > 3 ? ', ...' : ''}).`,
      fs[0].fix,
      roles,
    );
  };
  ruleFactor('dynamic-code', w.dynamicCode, 'The code builds and runs code at run time, which review cannot see', [
    'security',
  ]);
  ruleFactor('ambient-api', w.ambientApi, 'The code reaches for process, file system, network or other host APIs', [
    'security',
  ]);
  ruleFactor('syntax-error', w.ambientApi, 'The code does not parse, so it cannot be reviewed', ['security']);
  ruleFactor('missing-file', w.ambientApi, 'A code file named by the manifest is missing', []);
  ruleFactor('undeclared-host', w.undeclaredHost, 'The code calls hosts the manifest does not declare', ['security']);
  ruleFactor('undeclared-model', w.undeclaredResource, 'The code names models the manifest does not declare', []);
  ruleFactor('undeclared-dataset', w.undeclaredResource, 'The code names datasets the manifest does not declare', []);
  const pii = findings.filter((f) => f.check === 'pii');
  if (pii.length) {
    const where = pii
      .slice(0, 3)
      .map((f) => (f.line ? `${f.file}:${f.line}` : f.path))
      .join(', ');
    add('pii.in-text', w.piiInText, `Prompts or code contain personal data (${where}).`, pii[0].fix, ['security']);
  }
  policy.warnings.forEach((warning, i) =>
    add(
      `policy.warning:${i + 1}`,
      w.policyWarning,
      `Policy warning: ${warning}`,
      'Address the warning (`gatehouse decisions list --app <app>` shows the decision)',
    ),
  );

  const score = Math.min(
    100,
    factors.reduce((s, f) => s + f.points, 0),
  );
  let tier = tierFor(score, cfg.tiers);
  if (policy.effect === 'require_approval') {
    factors.push({
      id: 'policy.require_approval',
      points: 0,
      reason: `An admission policy requires human approval: ${policy.reason}`,
      fix: 'Change what the policy flags, or ask a reviewer',
      roles: [],
    });
    if (tier === 'low') tier = 'medium';
  }
  factors.sort((a, b) => b.points - a.points || a.id.localeCompare(b.id));
  return { score, tier, factors };
}
