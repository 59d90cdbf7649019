// The app version lifecycle as data: every state, the legal moves, and which states may act or serve.
// The one home of these rules: governor, gateway, apps, approvals, rollout and the test fakes all read them here.

export const LIFECYCLE_STATES = [
  'draft',
  'pending_approval',
  'approved',
  'rejected',
  'superseded',
  'canary',
  'released',
  'killed',
  'rolled_back',
  'retired',
] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/**
 * Legal moves. draft → pending_approval → approved → canary → released → killed | rolled_back | retired,
 * plus rejected/superseded while under review. A killed version may be restored (kill switch lifted) and a
 * retired one re-released by a rollback to it.
 */
export const LIFECYCLE_TRANSITIONS: Readonly<Record<LifecycleState, readonly LifecycleState[]>> = {
  draft: ['pending_approval', 'approved', 'rejected', 'superseded'],
  pending_approval: ['approved', 'rejected', 'superseded'],
  approved: ['canary', 'released', 'killed', 'retired', 'superseded'],
  rejected: [],
  superseded: [],
  canary: ['released', 'killed', 'rolled_back', 'retired'],
  released: ['killed', 'rolled_back', 'retired'],
  killed: ['released', 'canary', 'rolled_back', 'retired'],
  rolled_back: ['retired'],
  retired: ['released'],
};

export function canTransition(from: LifecycleState, to: LifecycleState): boolean {
  return LIFECYCLE_TRANSITIONS[from]?.includes(to) ?? false;
}

/** States whose code may act (govern() identifies them; any other state is denied). */
export const RUNNABLE_STATES: readonly LifecycleState[] = ['approved', 'canary', 'released'];

export function isRunnable(state: string): boolean {
  return (RUNNABLE_STATES as readonly string[]).includes(state);
}

/** States in which a version serves traffic, best first. */
export const SERVING_STATES: readonly LifecycleState[] = ['released', 'canary'];

/** The minimal shape the in-force rule reads (AppVersion satisfies it). */
export interface VersionState {
  version: number;
  state: LifecycleState;
  manifest: { spec: { environment: string } };
}

/**
 * The version in force among an app's versions: the newest released, else the newest canary, else (dev only)
 * the newest approved. Undefined when none may run.
 */
export function pickInForce<V extends VersionState>(versions: readonly V[]): V | undefined {
  const newestFirst = [...versions].sort((a, b) => b.version - a.version);
  for (const s of SERVING_STATES) {
    const v = newestFirst.find((x) => x.state === s);
    if (v) return v;
  }
  // Approved but not yet released versions may run in dev only.
  return newestFirst.find((x) => x.state === 'approved' && x.manifest.spec.environment === 'dev');
}
