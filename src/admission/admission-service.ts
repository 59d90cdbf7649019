// Admission: runs the automated checks on a stored version (policy, static analysis, PII), scores risk, opens the approval.
import type { AppReader, AppVersion } from '../apps/manifest-schema.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import { NotFoundError } from '../core/errors.js';
import type { AppScope, Decision, Governor } from '../core/governance.js';
import type { Principal } from '../identity/principal.js';
import type { ApprovalsConfig } from '../approvals/approvals-config.js';
import { summarize, type ApprovalService } from '../approvals/approval-service.js';
import type { AdmissionHook, AdmissionResult, Finding } from './admission-types.js';
import { scanForPii, type PiiScanner } from './pii-scan.js';
import { scoreRisk } from './risk.js';
import { analyzeCode } from './static-analysis.js';

export interface AdmissionDeps {
  governor: Governor;
  catalog: CatalogReader;
  pii: PiiScanner;
  approvals: ApprovalService;
  apps: AppReader;
  config: ApprovalsConfig;
}

export interface Explanation extends AdmissionResult {
  /** The version's lifecycle state now (it moves on after admission). */
  currentState: string;
}

export function candidateScope(v: AppVersion): AppScope {
  const s = v.manifest.spec;
  return {
    name: v.app,
    version: v.version,
    owner: v.manifest.metadata.owner,
    environment: s.environment,
    region: s.region,
    state: v.state,
    models: s.models.map((m) => m.id),
    datasets: s.data.map((d) => d.dataset),
    connectors: s.connectors.map((c) => c.id),
    egress: s.egress,
    spec: s as unknown as Record<string, unknown>,
  };
}

function policyFindings(d: Decision): Finding[] {
  const out: Finding[] = d.matched
    .filter((m) => m.effect === 'deny' || m.effect === 'require_approval' || m.effect === 'warn')
    .map((m) => ({
      check: 'policy' as const,
      rule: m.policy,
      severity: m.effect === 'warn' || m.mode === 'advisory' ? ('warning' as const) : ('error' as const),
      file: 'manifest',
      message: m.reason,
      fix: `Change the manifest so policy '${m.policy}' no longer matches (\`gatehouse decisions show ${d.id}\` shows the input it saw).`,
    }));
  for (const e of d.errors)
    out.push({
      check: 'policy',
      rule: 'policy-error',
      severity: 'error',
      message: e,
      fix: 'Fix the policy or the catalog attribute it needs; admission fails closed until then.',
    });
  return out;
}

export class AdmissionService implements AdmissionHook {
  constructor(private readonly deps: AdmissionDeps) {}

  async admit(version: AppVersion, submitter: Principal): Promise<AdmissionResult> {
    const m = version.manifest;
    let decision: Decision;
    try {
      decision = await this.deps.governor.govern({
        action: 'app.submit',
        subject: { user: submitter.user },
        resource: {
          type: 'app',
          id: version.app,
          attributes: { owner: m.metadata.owner, environment: m.spec.environment, region: m.spec.region },
        },
        request: { version: version.version, hash: version.hash },
        candidate: candidateScope(version),
      });
    } catch (err) {
      // Fail closed: no policy verdict means no admission.
      decision = {
        id: 'none',
        time: Date.now(),
        effect: 'deny',
        obligations: {},
        warnings: [],
        matched: [],
        bundleRevision: 'none',
        reason: `the admission policy check failed (${(err as Error).message}); try again or ask an admin`,
        errors: [(err as Error).message],
      };
    }
    const effect = decision.errors.length ? 'deny' : decision.effect;
    const findings: Finding[] = [
      ...policyFindings(decision),
      ...analyzeCode({ manifest: m, code: version.code, catalog: this.deps.catalog }),
    ];
    let piiFailed = false;
    try {
      findings.push(...scanForPii(m, version.code, this.deps.pii));
    } catch (err) {
      piiFailed = true;
      findings.push({
        check: 'pii',
        rule: 'pii-scan-failed',
        severity: 'error',
        message: `The PII scan failed: ${(err as Error).message}.`,
        fix: 'A reviewer must check the prompts by hand.',
      });
    }
    const policy = {
      effect: effect === 'allow' && piiFailed ? ('require_approval' as const) : effect,
      reason: piiFailed && effect === 'allow' ? 'the PII scan could not run' : decision.reason,
      warnings: decision.warnings,
    };
    const risk = scoreRisk(m, this.deps.catalog, findings, policy, this.deps.config);
    const dec = { id: decision.id, effect: policy.effect, reason: policy.reason, warnings: decision.warnings };
    const { approval, state } = await this.deps.approvals.open({ version, submitter, risk, findings, decision: dec });
    return {
      app: version.app,
      version: version.version,
      risk,
      findings,
      decision: dec,
      approval: summarize(approval),
      state,
    };
  }

  /** The stored admission outcome of a version (latest when omitted): score, tier, factors, findings, approval. */
  async explain(app: string, version?: number): Promise<Explanation> {
    const v =
      version === undefined ? await this.deps.apps.latestVersion(app) : await this.deps.apps.getVersion(app, version);
    if (!v)
      throw new NotFoundError(
        version === undefined ? 'App' : `Version ${version} of app`,
        app,
        'list apps with `gatehouse app list`',
      );
    const rec = await this.deps.approvals.store.forVersion(app, v.version);
    if (!rec)
      throw new NotFoundError(
        `Admission record of ${app} version`,
        String(v.version),
        'it was stored before admission ran; submit it again',
      );
    const stateAtAdmission =
      rec.state === 'approved' && rec.auto
        ? 'approved'
        : rec.decision.effect === 'deny'
          ? 'rejected'
          : 'pending_approval';
    return {
      app,
      version: v.version,
      risk: rec.risk,
      findings: rec.findings,
      decision: rec.decision,
      approval: summarize(rec),
      state: stateAtAdmission,
      currentState: v.state,
    };
  }
}
