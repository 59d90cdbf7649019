// Time to contain per alert firing: the rule's own enforcing action (cap, kill, rollback) when it had one, else the
// first kill set afterwards on the firing's app, version, user or model (from the audit log's kill.set entries).

export interface FiringLike {
  id: string;
  rule: string;
  app?: string;
  groupBy?: string;
  groupKey?: string;
  firedAt: number;
  firstEventAt: number;
  containedAt?: number;
}

export interface KillSet {
  time: number;
  actor: string;
  scope: string;
  target: string;
}

export interface ContainTime {
  firing: FiringLike;
  /** How it was contained: by the rule's action, by a kill someone set, or not (yet). */
  how: 'rule action' | 'manual kill' | 'not contained';
  containedAt?: number;
  /** Firing → containment. */
  afterFiringMs?: number;
  /** First triggering event → containment. */
  afterFirstEventMs?: number;
  by?: string;
}

/** Kill scopes that name an app (a user or model kill whose name matches an app's does not cover it). */
const APP_SCOPES = new Set(['app', 'app_version']);

/** Does a kill cover what the firing was about? App kills cover the app and its versions; user/model by key. */
function covers(k: KillSet, f: FiringLike): boolean {
  if (f.app && APP_SCOPES.has(k.scope) && (k.target === f.app || k.target.startsWith(`${f.app}@`))) return true;
  if (f.groupBy && f.groupKey && f.groupBy === k.scope && f.groupKey === k.target) return true;
  return false;
}

/** Pure: pairs each firing with its containment. `kills` in any order. */
export function containTimes(firings: readonly FiringLike[], kills: readonly KillSet[]): ContainTime[] {
  const sorted = [...kills].sort((a, b) => a.time - b.time);
  return firings.map((f) => {
    if (f.containedAt !== undefined)
      return {
        firing: f,
        how: 'rule action',
        containedAt: f.containedAt,
        afterFiringMs: Math.max(0, f.containedAt - f.firedAt),
        afterFirstEventMs: Math.max(0, f.containedAt - f.firstEventAt),
        by: 'system',
      };
    const k = sorted.find((x) => x.time >= f.firedAt && covers(x, f));
    if (!k) return { firing: f, how: 'not contained' };
    return {
      firing: f,
      how: 'manual kill',
      containedAt: k.time,
      afterFiringMs: k.time - f.firedAt,
      afterFirstEventMs: k.time - f.firstEventAt,
      by: k.actor,
    };
  });
}

/** Nearest-rank percentile of the contained firings' firing → containment times, undefined when none. */
export function containPercentile(times: readonly ContainTime[], p: number): number | undefined {
  const v = times
    .map((t) => t.afterFiringMs)
    .filter((x): x is number => x !== undefined)
    .sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
}
