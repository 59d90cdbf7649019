// Design brief case 2, played live: after a release an app's answers balloon on a premium model; token-spike-cap
// fires → finops notified, the app capped (256 output tokens) and its model routed to the cheaper fallback. The
// cost is counted from what the gateway charged, beside what the same calls would have cost uncapped.
import type { Timeline } from './demo-timeline.js';
import { firingOf, proveEntry, usd, waitFor, type ProvenEntry } from './demo-timeline.js';
import type { CallResult, DemoEnv } from './demo-env.js';
import { DEMO, PRICES, appManifest, spikeRule } from './demo-fixtures.js';
import { appKey, submitAndRelease } from './demo-apps.js';

export interface SpikeResult {
  callsMade: number;
  callsBeforeCap: number;
  servedByFallback: number;
  /** Calls the cap's tokensPerMinute refused with 429 (the client retries them later). */
  heldBack: number;
  detectMs: number;
  containMs?: number;
  alertId: string;
  capId?: string;
  fallbackModel?: string;
  costWithoutCapUsd: number;
  costWithCapUsd: number;
  savingPct: number;
  audit: ProvenEntry[];
  keyId: string;
}

const CASE = 'spike';
/** Calls the spike phase makes in all: enough that the capped stretch dominates, as it would over a month. */
const SPIKE_CALLS = 24;

function priced(model: string, tokensIn: number, tokensOut: number): number {
  const p = PRICES[model];
  return (tokensIn * p.inputPerMTok + tokensOut * p.outputPerMTok) / 1e6;
}

/** Cost of a call as the gateway charged it (x-gatehouse-cost-usd), else from its usage and the catalog prices. */
const costOf = (r: CallResult, model: string) => (r.costUsd > 0 ? r.costUsd : priced(model, r.tokensIn, r.tokensOut));

export async function playSpikeCase(
  env: DemoEnv,
  tl: Timeline,
  opts: { fast: boolean; baselineMinutes: number; paceMs: number },
): Promise<SpikeResult> {
  const { api } = env;
  const long = 'Recommended for you: trail running shoes, waterproof jacket, merino socks, headlamp. '.repeat(60);
  const short = 'Recommended for you: trail running shoes.';
  env.upstreams.spend.reply = short;
  await submitAndRelease(
    api,
    env.owner,
    appManifest(DEMO.spikeApp, [
      { id: DEMO.premium, maxOutputTokens: 4096, fallback: DEMO.economy },
      { id: DEMO.economy, maxOutputTokens: 4096 },
    ]),
  );
  await api.request('POST', '/api/v1/alerts/apply', { documents: [spikeRule(env.hookBase, opts.fast)] });
  const key = await appKey(env.owner, DEMO.spikeApp);
  tl.mark(
    CASE,
    'setup',
    `${DEMO.spikeApp} released on ${DEMO.premium} (fallback ${DEMO.economy}); rule ${DEMO.spikeRule} active` +
      (opts.fast ? " (fast: threshold on the rule's minVolume in 1 min instead of the 5-min baseline)" : ''),
  );

  let calls = 0;
  if (!opts.fast) {
    // realtime: the anomaly rule needs closed minutes of baseline before it may fire
    const until = Date.now() + opts.baselineMinutes * 60_000 + 5_000;
    while (Date.now() < until) {
      await env.call(key.key, DEMO.premium, 'Recommend something');
      calls++;
      await new Promise((r) => setTimeout(r, 15_000));
    }
    tl.mark(CASE, 'baseline', `${calls} ordinary calls over ${opts.baselineMinutes} min`);
  }

  env.upstreams.spend.reply = long;
  const first = Date.now();
  let withCap = 0;
  let uncappedPerCall = 0;
  let beforeCap = 0;
  let fallbackModel: string | undefined;
  let servedByFallback = 0;
  let fallbackPerCall = 0;
  let heldBack = 0;
  for (let i = 0; i < SPIKE_CALLS; i++) {
    if (i > 0 && opts.paceMs) await new Promise((r) => setTimeout(r, opts.paceMs));
    const r = await env.call(key.key, DEMO.premium, `Recommend everything (session ${i + 1})`);
    calls++;
    if (r.status !== 200) {
      // the cap's tokensPerMinute holds the rest of this minute's calls back (429 with Retry-After)
      if (heldBack++ === 0)
        tl.mark(CASE, `call ${calls}`, `${r.status}: ${r.error ?? ''} (and every call after it this minute)`);
      continue;
    }
    const served = r.model ?? DEMO.premium;
    withCap += costOf(r, served);
    if (!r.fallbackFrom) {
      beforeCap++;
      uncappedPerCall = costOf(r, DEMO.premium);
      tl.mark(CASE, `call ${calls}`, `${r.status} ${served}: ${r.tokensOut} output tokens, ${usd(costOf(r, served))}`);
    } else {
      if (servedByFallback++ === 0)
        tl.mark(
          CASE,
          'cap in force',
          `call ${calls} asked for ${r.fallbackFrom}, served by ${served}: ${r.tokensOut} output tokens, ${usd(costOf(r, served))}`,
        );
      fallbackModel = served;
      fallbackPerCall = costOf(r, served);
    }
  }
  // A held-back call is retried by its client after Retry-After and served by the fallback: price it so, rather than
  // count it as free (which would inflate the saving).
  withCap += heldBack * fallbackPerCall;
  const firing = await waitFor('the alert to fire', () => firingOf(api, DEMO.spikeApp, DEMO.spikeRule));
  tl.mark(CASE, 'alert fired', `${firing.id} ${firing.rule}: ${firing.summary}`, firing.firedAt);
  const hook = await waitFor('the finops webhook', async () => env.hooks.find((h) => h.path === '/hooks/finops'));
  tl.mark(CASE, 'webhook delivered', `POST /hooks/finops (rule ${String(hook.body.rule)})`, hook.at);
  const caps = await api.request<{ caps: { id: string; target: string; limits: Record<string, number> }[] }>(
    'GET',
    '/api/v1/caps',
  );
  const cap = caps.caps.find((c) => c.target.startsWith(DEMO.spikeApp));
  if (cap) tl.mark(CASE, 'cap', `${cap.id} on ${cap.target}: ${JSON.stringify(cap.limits)}, fallback on`);
  const withoutCap = uncappedPerCall * SPIKE_CALLS;
  const saving = withoutCap > 0 ? ((withoutCap - withCap) / withoutCap) * 100 : 0;
  tl.mark(
    CASE,
    'cost',
    `${SPIKE_CALLS} spike calls (${beforeCap} before the cap, ${servedByFallback} by the fallback, ${heldBack} held back): ${usd(withCap)} with the cap, ${usd(withoutCap)} without: ${saving.toFixed(1)}% saved`,
  );
  const audit: ProvenEntry[] = [];
  if (firing.auditIndex !== undefined) {
    const p = await proveEntry(api, env.vars, firing.auditIndex);
    audit.push(p);
    tl.mark(CASE, 'audit', `entry #${p.index} (${p.type}): inclusion proof verified against tree size ${p.treeSize}`);
  }
  return {
    callsMade: calls,
    callsBeforeCap: beforeCap,
    servedByFallback,
    heldBack,
    detectMs: firing.firedAt - first,
    containMs: firing.containMs,
    alertId: firing.id,
    capId: cap?.id,
    fallbackModel,
    costWithoutCapUsd: withoutCap,
    costWithCapUsd: withCap,
    savingPct: saving,
    audit,
    keyId: key.id,
  };
}
