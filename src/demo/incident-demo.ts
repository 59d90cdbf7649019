// `gatehouse demo incidents`: sets up the demo's catalog entries, apps, fake providers and rules, plays the design
// brief's two case studies with a live timeline, prints the summary table and how to inspect each artifact, and
// cleans up (unless --keep).
import type { CliContext } from '../cli/cli-context.js';
import { openDemoEnv, type DemoEnv } from './demo-env.js';
import { DEMO, catalogDocs, spikeRule, ssnRule } from './demo-fixtures.js';
import { Timeline, fmtMs, usd, type TimelineEvent } from './demo-timeline.js';
import { ownerClient } from './demo-apps.js';
import { playSsnCase, type SsnResult } from './ssn-case.js';
import { playSpikeCase, type SpikeResult } from './spike-case.js';

export interface IncidentDemoOptions {
  cases: ('ssn' | 'spike')[];
  fast: boolean;
  standalone: boolean;
  keep: boolean;
}

export interface IncidentDemoResult {
  server: string;
  standalone: boolean;
  speed: 'fast' | 'realtime';
  ssn?: SsnResult;
  spike?: SpikeResult;
  timeline: TimelineEvent[];
  inspect: string[];
  /** Server rules that also watch the demo apps (their kills and caps mix into the demo's story). */
  warnings: string[];
  cleanedUp: boolean;
}

/** Enabled rules of the server's own that watch every app: they fire on the demo apps too and change the story. */
async function overlappingRules(env: DemoEnv): Promise<string[]> {
  const { rules } = await env.api.request<{
    rules: {
      metadata: { name: string };
      spec: { enabled: boolean; match: { kind: string | string[]; app?: string } };
    }[];
  }>('GET', '/api/v1/alerts');
  return rules
    .filter((r) => r.spec.enabled && !r.spec.match.app && !r.metadata.name.startsWith('demo-'))
    .filter((r) => [r.spec.match.kind].flat().some((k) => k === 'dlp.detection' || k === 'model.invocation'))
    .map((r) => r.metadata.name);
}

async function setUp(env: DemoEnv): Promise<void> {
  const upstreams = {
    [DEMO.leaky]: env.upstreams.leaky.baseUrl,
    [DEMO.safe]: env.upstreams.safe.baseUrl,
    [DEMO.premium]: env.upstreams.spend.baseUrl,
    [DEMO.economy]: env.upstreams.spend.baseUrl,
  };
  env.writeProviderKeys(Object.keys(upstreams));
  await env.api.request('POST', '/api/v1/catalog/apply', { documents: catalogDocs(upstreams) });
  env.owner = await ownerClient(env.api);
}

/** Lifts what the demo put in force on a shared server and switches its rules off; the audit log keeps it all. */
async function cleanUp(env: DemoEnv, r: IncidentDemoResult): Promise<void> {
  const { api } = env;
  const kills = await api.request<{ kills: { scope: string; target: string }[] }>('GET', '/api/v1/kills');
  for (const k of kills.kills.filter((k) => k.target.startsWith('demo-')))
    await api.request('POST', '/api/v1/kills/lift', { scope: k.scope, id: k.target, reason: 'gatehouse demo cleanup' });
  const caps = await api.request<{ caps: { scope: string; target: string }[] }>('GET', '/api/v1/caps');
  for (const c of caps.caps.filter((c) => c.target.startsWith('demo-')))
    await api.request('POST', '/api/v1/caps/lift', { scope: c.scope, id: c.target, reason: 'gatehouse demo cleanup' });
  const off = [ssnRule(env.hookBase), spikeRule(env.hookBase, true)].map((d) => ({
    ...d,
    spec: { ...(d.spec as object), enabled: false },
  }));
  await api.request('POST', '/api/v1/alerts/apply', { documents: off });
  for (const [app, id] of [
    [DEMO.ssnApp, r.ssn?.keyId],
    [DEMO.spikeApp, r.spike?.keyId],
  ])
    if (id) await env.owner.request('DELETE', `/api/v1/apps/${app}/keys/${id}`);
}

function inspectCommands(r: IncidentDemoResult): string[] {
  const out: string[] = [];
  if (r.ssn) {
    out.push(`gatehouse alerts history --app ${DEMO.ssnApp}`, 'gatehouse kills');
    out.push(`gatehouse app show ${DEMO.ssnApp}`);
    if (r.ssn.snapshotId) out.push(`gatehouse snapshot show ${r.ssn.snapshotId}`);
  }
  if (r.spike) out.push(`gatehouse alerts history --app ${DEMO.spikeApp}`, `gatehouse costs --by model`);
  for (const a of [...(r.ssn?.audit ?? []), ...(r.spike?.audit ?? [])])
    out.push(
      `gatehouse audit proof ${a.index} > /tmp/proof-${a.index}.json && gatehouse audit verify-proof /tmp/proof-${a.index}.json`,
    );
  return out;
}

export function summaryTable(r: IncidentDemoResult): string {
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(i === 0 ? 44 : 26)).join('');
  const lines = [row(['', 'ssn leak', 'token spike'])];
  const s = r.ssn;
  const p = r.spike;
  lines.push(row(['time to detect (first call → alert)', s ? fmtMs(s.detectMs) : '-', p ? fmtMs(p.detectMs) : '-']));
  lines.push(
    row(['time to contain (first event → enforced)', s ? fmtMs(s.containMs) : '-', p ? fmtMs(p.containMs) : '-']),
  );
  lines.push(
    row([
      'calls leaked before containment',
      s ? `${s.ssnsReachingCaller} SSNs reached a caller` : '-',
      p ? `${p.callsBeforeCap} uncapped calls` : '-',
    ]),
  );
  if (p) {
    lines.push(row(['cost without the cap', '-', usd(p.costWithoutCapUsd)]));
    lines.push(row(['cost with the cap', '-', usd(p.costWithCapUsd)]));
    lines.push(row(['saving', '-', `${p.savingPct.toFixed(1)}%`]));
  }
  return lines.join('\n');
}

export async function runIncidentDemo(cli: CliContext, o: IncidentDemoOptions): Promise<IncidentDemoResult> {
  const live = !cli.json();
  const env = await openDemoEnv({ standalone: o.standalone, env: cli.env, api: () => cli.api() });
  const tl = new Timeline(live ? (l) => cli.io.out(l) : undefined);
  const result: IncidentDemoResult = {
    server: env.url,
    standalone: env.standalone,
    speed: o.fast ? 'fast' : 'realtime',
    timeline: tl.events,
    inspect: [],
    warnings: [],
    cleanedUp: false,
  };
  try {
    if (live) cli.io.out(`gatehouse demo incidents against ${env.url}${env.standalone ? ' (temporary server)' : ''}`);
    await setUp(env);
    const overlap = await overlappingRules(env);
    if (overlap.length) {
      result.warnings.push(
        `rules ${overlap.join(', ')} watch every app, so they act on the demo apps too (a kill of the whole app refuses the call after the rollback); run with --standalone to see the cases alone`,
      );
      if (live) cli.io.out(`warning: ${result.warnings[0]}`);
    }
    if (o.cases.includes('ssn')) {
      if (live) cli.io.out('\ncase 1: an app returns full SSNs in its answers');
      result.ssn = await playSsnCase(env, tl, o.fast ? 0 : 20_000);
    }
    if (o.cases.includes('spike')) {
      if (live) cli.io.out('\ncase 2: token usage spikes after a release');
      result.spike = await playSpikeCase(env, tl, { fast: o.fast, baselineMinutes: 6, paceMs: o.fast ? 0 : 2_000 });
    }
    result.inspect = inspectCommands(result);
    if (!o.keep && !env.standalone) await cleanUp(env, result);
    result.cleanedUp = !o.keep;
  } finally {
    await env.close(o.keep);
  }
  if (live) {
    cli.io.out(`\nsummary\n${summaryTable(result)}`);
    cli.io.out(`\ninspect${o.keep ? '' : ' (run the demo with --keep to keep these)'}:`);
    for (const c of result.inspect) cli.io.out(`  ${c}`);
    if (env.standalone && o.keep)
      cli.io.out(`  (the temporary server's state is kept: GATEHOUSE_HOME=${env.home} gatehouse serve)`);
  } else cli.io.out(JSON.stringify(result, null, 2));
  return result;
}
