// Policy simulation: replays recorded decision inputs against a candidate bundle and groups the changes by app and policy.
import canonicalize from 'canonicalize';
import type { Decision } from '../core/governance.js';
import type { LoggedDecision } from './decision-log.js';
import type { PolicyEvaluator } from './evaluator.js';

/** Decisions not made by the policy evaluator (gate refusals, identify failures) cannot be replayed. */
export const NOT_REPLAYABLE = new Set(['gate', 'identify']);

export interface SimulatedChange {
  decisionId: string;
  time: number;
  app: string | null;
  action: string;
  user: string;
  resource: { type: string; id: string };
  before: { effect: string; reason: string; obligations: Decision['obligations'] };
  after: { effect: string; reason: string; obligations: Decision['obligations'] };
  /** Policies whose outcome differs between the recorded and the simulated decision. */
  policies: string[];
}

export interface SimulationReport {
  candidateRevision: string;
  activeRevision: string;
  since: number;
  replayed: number;
  skipped: number;
  /** Decisions whose effect or limits would change. */
  changed: number;
  /** Of those, decisions whose effect (allow / deny / require_approval) would change. */
  effectChanged: number;
  /** Apps with at least one change (byApp may list fewer when asked to). */
  appsChanged: number;
  /** Most changed first. */
  byApp: { app: string; changed: number; policies: Record<string, number> }[];
  byPolicy: { policy: string; changed: number }[];
  /** Effect changes counted by recorded → simulated effect (e.g. allow → deny), most first. */
  transitions: { from: string; to: string; count: number }[];
  /** The first changes (500 unless asked for fewer), newest first. */
  changes: SimulatedChange[];
}

// A change in limits only is attributed to the candidate's limit policies.
const limitPolicies = (d: Decision) => {
  const names = d.matched.filter((m) => m.effect === 'limit').map((m) => m.policy);
  return names.length > 0 ? names : ['(limits)'];
};

const outcome = (d: Pick<Decision, 'matched'>) => new Set(d.matched.map((m) => `${m.policy}\u0000${m.effect}`));

/** How much of the report to return: the counts always cover every replayed decision. */
export interface SimulationSample {
  /** Changes listed (newest first); default 500, the most the API returns. */
  maxChanges?: number;
  /** Apps listed in byApp (most changed first); default all. */
  maxApps?: number;
}

export const MAX_CHANGES = 500;

export function simulate(
  candidate: PolicyEvaluator,
  recorded: LoggedDecision[],
  meta: { since: number; activeRevision: string },
  sample: SimulationSample = {},
): SimulationReport {
  const maxChanges = Math.min(sample.maxChanges ?? MAX_CHANGES, MAX_CHANGES);
  const changes: SimulatedChange[] = [];
  const apps = new Map<string, { changed: number; policies: Record<string, number> }>();
  const policies = new Map<string, number>();
  const moves = new Map<string, number>();
  let skipped = 0;
  let changed = 0;
  let effectChanged = 0;
  for (const r of recorded) {
    // Refusals made after policy allowed the call (budget, DLP, caps: Governor.recordRefusal) are not the bundle's
    // to change; replaying them would show an allow as a change.
    if (r.matched.some((m) => NOT_REPLAYABLE.has(m.policy)) || enforcementRefusal(r.input)) {
      skipped++;
      continue;
    }
    const after = candidate.decide(r.input);
    const sameEffect = after.effect === r.effect;
    if (sameEffect && canonicalize(after.obligations) === canonicalize(r.obligations)) continue;
    const a = outcome(after);
    const b = outcome(r);
    const diff = new Set(
      [...a]
        .filter((x) => !b.has(x))
        .concat([...b].filter((x) => !a.has(x)))
        .map((x) => x.split('\u0000')[0]),
    );
    const names = diff.size > 0 ? [...diff].sort() : limitPolicies(after);
    changed++;
    // Counted as the change is found, so a short sample never shortens the totals.
    const key = r.app ?? '(no app)';
    const g = apps.get(key) ?? { changed: 0, policies: {} };
    g.changed++;
    for (const p of names) {
      g.policies[p] = (g.policies[p] ?? 0) + 1;
      policies.set(p, (policies.get(p) ?? 0) + 1);
    }
    apps.set(key, g);
    if (!sameEffect) {
      effectChanged++;
      const k = `${r.effect}\u0000${after.effect}`;
      moves.set(k, (moves.get(k) ?? 0) + 1);
    }
    if (changes.length < maxChanges)
      changes.push({
        decisionId: r.id,
        time: r.time,
        app: r.app,
        action: r.action,
        user: r.subject,
        resource: r.resource,
        before: { effect: r.effect, reason: r.reason, obligations: r.obligations },
        after: { effect: after.effect, reason: after.reason, obligations: after.obligations },
        policies: names,
      });
  }
  const byApp = [...apps]
    .map(([app, g]) => ({ app, ...g }))
    .sort((x, y) => y.changed - x.changed || x.app.localeCompare(y.app));
  return {
    candidateRevision: candidate.revision,
    activeRevision: meta.activeRevision,
    since: meta.since,
    replayed: recorded.length - skipped,
    skipped,
    changed,
    effectChanged,
    appsChanged: byApp.length,
    byApp: sample.maxApps === undefined ? byApp : byApp.slice(0, sample.maxApps),
    byPolicy: [...policies]
      .map(([policy, changed]) => ({ policy, changed }))
      .sort((x, y) => y.changed - x.changed || x.policy.localeCompare(y.policy)),
    transitions: [...moves]
      .map(([k, count]) => {
        const [from, to] = k.split('\u0000');
        return { from, to, count };
      })
      .sort((x, y) => y.count - x.count || `${x.from}${x.to}`.localeCompare(`${y.from}${y.to}`)),
    changes,
  };
}

/** Human summary of a simulation report. */
export function formatSimulation(r: SimulationReport): string {
  const lines = [
    `Candidate ${r.candidateRevision} vs active ${r.activeRevision}: ${r.changed} of ${r.replayed} recorded decisions would change (${r.effectChanged} in effect, the rest in limits)${r.skipped ? ` (${r.skipped} gate/identify decisions not replayable)` : ''}.`,
  ];
  if (r.changed === 0) return lines.join('\n');
  if (r.transitions.length)
    lines.push('', 'Effect changes:', ...r.transitions.map((t) => `  ${t.from} -> ${t.to}: ${t.count}`));
  lines.push('', 'By app:');
  for (const a of r.byApp)
    lines.push(
      `  ${a.app}: ${a.changed} (${Object.entries(a.policies)
        .map(([p, n]) => `${p} ${n}`)
        .join(', ')})`,
    );
  if (r.appsChanged > r.byApp.length) lines.push(`  ... ${r.appsChanged - r.byApp.length} more apps`);
  lines.push('', 'By policy:');
  for (const p of r.byPolicy) lines.push(`  ${p.policy}: ${p.changed}`);
  lines.push('', 'Changes:');
  for (const c of r.changes.slice(0, 50)) {
    lines.push(
      `  ${c.decisionId} ${c.app ?? '-'} ${c.action} ${c.resource.type}/${c.resource.id}: ${c.before.effect} -> ${c.after.effect}  ${c.after.effect === 'allow' ? '' : c.after.reason}`.trimEnd(),
    );
  }
  if (r.changes.length > 50) lines.push(`  ... ${r.changes.length - 50} more (use --json)`);
  return lines.join('\n');
}

/** The logged input of a refusal recorded after govern() allowed the call carries `request.refusal`. */
function enforcementRefusal(input: unknown): boolean {
  const req = (input as { request?: { refusal?: unknown } } | undefined)?.request;
  return req?.refusal !== undefined && req.refusal !== null;
}
