// Design brief case 1, played live: v2 of an app starts answering with full SSNs; output DLP masks each one and
// reports a detection; the third fires repeated-ssn-kill → data owner notified, app killed, rolled back to v1 (which
// answers with obfuscated identifiers), forensic snapshot taken, every step in the verifiable audit log.
import type { Timeline } from './demo-timeline.js';
import { firingOf, proveEntry, waitFor, type ProvenEntry } from './demo-timeline.js';
import type { DemoEnv } from './demo-env.js';
import { DEMO, appManifest, ssnRule } from './demo-fixtures.js';
import { appKey, submitAndRelease } from './demo-apps.js';

export interface SsnResult {
  callsMade: number;
  detections: number;
  ssnsReachingCaller: number;
  answeredAfterThreshold: number;
  detectMs: number;
  containMs?: number;
  alertId: string;
  killId?: string;
  webhookDataOwners: string[];
  rolledBackTo?: number;
  snapshotId?: string;
  audit: ProvenEntry[];
  keyId: string;
}

const FULL_SSN = /\b\d{3}-\d{2}-\d{4}\b/;
const CASE = 'ssn';

export async function playSsnCase(env: DemoEnv, tl: Timeline, paceMs: number): Promise<SsnResult> {
  const { api } = env;
  env.upstreams.leaky.reply = 'Customer 1042 is John Smith, SSN 536-22-8173; he called about a refund.';
  env.upstreams.safe.reply = 'Customer 1042 is J. S., SSN ***-**-8173; he called about a refund.';
  await submitAndRelease(api, env.owner, appManifest(DEMO.ssnApp, [{ id: DEMO.safe, maxOutputTokens: 256 }], true));
  const v2 = await submitAndRelease(
    api,
    env.owner,
    appManifest(DEMO.ssnApp, [{ id: DEMO.leaky, maxOutputTokens: 256 }], true),
  );
  await api.request('POST', '/api/v1/alerts/apply', { documents: [ssnRule(env.hookBase)] });
  const key = await appKey(env.owner, DEMO.ssnApp);
  tl.mark(CASE, 'setup', `${DEMO.ssnApp} v${v2} released (v1 the known-good canary); rule ${DEMO.ssnRule} active`);

  const first = Date.now();
  let calls = 0;
  let detections = 0;
  let reached = 0;
  let afterThreshold = 0;
  let refused: string | undefined;
  for (let i = 0; i < 40 && !refused; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, paceMs));
    const r = await env.call(key.key, DEMO.leaky, `Who is customer 1042? (question ${i + 1})`);
    calls++;
    if (r.status !== 200) {
      refused = r.error ?? `HTTP ${r.status}`;
      tl.mark(CASE, 'kill in force', `call ${calls} refused (${r.status}): ${refused}`);
      break;
    }
    // The provider's answer carries a full SSN: when the caller gets it without one, output DLP masked it.
    if (FULL_SSN.test(r.text)) reached++;
    else detections++;
    if (detections > 3) afterThreshold++;
    tl.mark(CASE, `call ${calls}`, `200 from v${v2}, SSN masked by output DLP: "${r.text.slice(0, 56)}"`);
  }

  const firing = await waitFor('the alert to fire', () => firingOf(api, DEMO.ssnApp, DEMO.ssnRule));
  tl.mark(CASE, 'alert fired', `${firing.id} ${firing.rule}: ${firing.summary}`, firing.firedAt);
  const hook = await waitFor('the data-owner webhook', async () =>
    env.hooks.find((h) => h.path === '/hooks/data-owner'),
  );
  const owners = (hook.body.dataOwners as string[] | undefined) ?? [];
  tl.mark(CASE, 'webhook delivered', `POST /hooks/data-owner → data owners: ${owners.join(', ') || 'none'}`, hook.at);
  const kills = await api.request<{ kills: { id: string; scope: string; target: string; source?: string }[] }>(
    'GET',
    '/api/v1/kills',
  );
  const kill = kills.kills.find((k) => k.target.startsWith(DEMO.ssnApp));
  if (!refused) tl.mark(CASE, 'kill in force', `${kill?.id ?? '?'} on ${kill?.scope} ${kill?.target}`);
  else tl.mark(CASE, 'kill switch', `${kill?.id ?? '?'} on ${kill?.scope} ${kill?.target} (source ${kill?.source})`);

  const shown = await api.request<{ inForce: number | null }>('GET', `/api/v1/apps/${DEMO.ssnApp}`);
  const rolledBackTo = shown.inForce ?? undefined;
  const after = await env.call(key.key, DEMO.safe, 'Who is customer 1042? (after the rollback)');
  tl.mark(
    CASE,
    'rollback done',
    `v${rolledBackTo ?? '?'} in force; a new call gets ${after.status}: "${after.text.slice(0, 60)}"`,
  );
  const snaps = await api.request<{ snapshots: { id: string; auditIndex?: number }[] }>(
    'GET',
    `/api/v1/snapshots?app=${DEMO.ssnApp}`,
  );
  const snap = snaps.snapshots[0];
  tl.mark(CASE, 'snapshot', snap ? `${snap.id} (forensic copy of manifest, decisions, events)` : 'none found');
  const audit: ProvenEntry[] = [];
  for (const index of [firing.auditIndex, snap?.auditIndex]) {
    if (index === undefined) continue;
    const p = await proveEntry(api, env.vars, index);
    audit.push(p);
    tl.mark(CASE, 'audit', `entry #${p.index} (${p.type}): inclusion proof verified against tree size ${p.treeSize}`);
  }
  return {
    callsMade: calls,
    detections,
    ssnsReachingCaller: reached,
    answeredAfterThreshold: afterThreshold,
    detectMs: firing.firedAt - first,
    containMs: firing.containMs,
    alertId: firing.id,
    killId: kill?.id,
    webhookDataOwners: owners,
    rolledBackTo,
    snapshotId: snap?.id,
    audit,
    keyId: key.id,
  };
}
