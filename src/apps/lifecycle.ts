// Moving app versions through the lifecycle: the legal-move check with a helpful error, and a transitioner
// that audits who and why. The states and moves themselves are data in lifecycle-states.ts.
import { LIFECYCLE_TRANSITIONS, canTransition, type LifecycleState } from './lifecycle-states.js';
import { ConflictError, InvalidInputError } from '../core/errors.js';
import type { AuditSink, LinkIds } from '../core/sinks.js';

/** Throws a 409 naming the legal moves when `from → to` is not one. */
export function assertTransition(app: string, version: number, from: LifecycleState, to: LifecycleState): void {
  if (canTransition(from, to)) return;
  const legal = LIFECYCLE_TRANSITIONS[from] ?? [];
  throw new ConflictError(
    `App '${app}' version ${version} is ${from}; it cannot move to ${to}. ${legal.length ? `From ${from} it may move to: ${legal.join(', ')}.` : `${from} is final: submit a new version.`}`,
    { app, version, from, to },
  );
}

/** Where the state column lives (the apps service). Compare-and-set so two writers never both win. */
export interface AppStateWriter {
  /** Sets the state only if it is still `from`; resolves false when it was not (or the version is unknown). */
  setState(app: string, version: number, from: LifecycleState, to: LifecycleState): Promise<boolean>;
  getState(app: string, version: number): Promise<LifecycleState | undefined>;
}

export interface TransitionInput {
  app: string;
  version: number;
  to: LifecycleState;
  /** Who: a user name or `system`. */
  actor: string;
  /** Why, in words (shown in the audit log). */
  reason: string;
  /** Expected current state; read from the store when absent. */
  from?: LifecycleState;
  ids?: LinkIds;
}

export interface TransitionResult {
  app: string;
  version: number;
  from: LifecycleState;
  to: LifecycleState;
  auditIndex: number;
}

/** Moves versions through legal transitions only, each one audited (`app.lifecycle`) with who and why. */
export class Lifecycle {
  constructor(
    private readonly store: AppStateWriter,
    private readonly audit: AuditSink,
  ) {}

  async transition(t: TransitionInput): Promise<TransitionResult> {
    if (!t.reason.trim())
      throw new InvalidInputError('A lifecycle change needs a reason.', [{ path: 'reason', message: 'say why' }]);
    const from = t.from ?? (await this.store.getState(t.app, t.version));
    if (from === undefined)
      throw new InvalidInputError(`App '${t.app}' has no version ${t.version}.`, [
        { path: 'version', message: 'list versions with `gatehouse app show`' },
      ]);
    assertTransition(t.app, t.version, from, t.to);
    const ok = await this.store.setState(t.app, t.version, from, t.to);
    if (!ok) {
      const now = await this.store.getState(t.app, t.version);
      throw new ConflictError(
        `App '${t.app}' version ${t.version} changed state meanwhile (now ${now ?? 'unknown'}); retry.`,
        { app: t.app, version: t.version, from, to: t.to },
      );
    }
    const { index } = await this.audit.append({
      type: 'app.lifecycle',
      actor: t.actor,
      app: t.app,
      appVersion: t.version,
      ids: t.ids,
      data: { from, to: t.to, reason: t.reason },
    });
    return { app: t.app, version: t.version, from, to: t.to, auditIndex: index };
  }
}

export { LIFECYCLE_TRANSITIONS, canTransition };
