// Putting an approved version in force: canary first (optional), then released; the version it replaces retires.
import { ConflictError, NotFoundError } from '../core/errors.js';
import { assertAppManager } from '../apps/app-ownership.js';
import type { AppReader, AppVersion, LifecycleState } from '../apps/manifest-schema.js';
import type { TransitionInput, TransitionResult } from '../apps/lifecycle.js';
import type { Principal } from '../identity/principal.js';

export interface ReleaseResult {
  app: string;
  version: number;
  state: LifecycleState;
  /** Versions that left service because this one took over (retired, still known-good for rollback). */
  retired: number[];
}

export class Releases {
  constructor(
    private readonly deps: {
      apps: AppReader;
      lifecycle: { transition(t: TransitionInput): Promise<TransitionResult> };
    },
  ) {}

  /** Only the app's owner or an operator (admin, security) may put a version in force. */
  private authorize(v: AppVersion, who: Principal): void {
    assertAppManager(who, v.manifest, 'release');
  }

  async release(input: {
    app: string;
    version?: number;
    canary?: boolean;
    actor: Principal;
    reason: string;
  }): Promise<ReleaseResult> {
    const versions = await this.deps.apps.listVersions(input.app);
    if (versions.length === 0) throw new NotFoundError('App', input.app, 'see `gatehouse app list`');
    const ready = (v: AppVersion) => v.state === 'approved' || (!input.canary && v.state === 'canary');
    const target =
      input.version === undefined ? versions.filter(ready).at(-1) : versions.find((v) => v.version === input.version);
    if (!target) {
      throw new ConflictError(
        input.version === undefined
          ? `App '${input.app}' has no approved${input.canary ? '' : ' or canary'} version to release; submit one and get it approved (\`gatehouse app show ${input.app}\`).`
          : `App '${input.app}' has no version ${input.version}.`,
      );
    }
    this.authorize(target, input.actor);
    const to: LifecycleState = input.canary ? 'canary' : 'released';
    if (!ready(target))
      throw new ConflictError(
        `Version ${target.version} of '${input.app}' is ${target.state}; only an approved${input.canary ? '' : ' or canary'} version can become ${to}.`,
      );
    const actor = input.actor.user;
    await this.deps.lifecycle.transition({
      app: input.app,
      version: target.version,
      from: target.state,
      to,
      actor,
      reason: input.reason,
    });
    const retired: number[] = [];
    if (to === 'released') {
      // After the new version is in force, so the app is never without one.
      for (const v of versions) {
        if (v.version === target.version || (v.state !== 'released' && v.state !== 'canary')) continue;
        await this.deps.lifecycle.transition({
          app: input.app,
          version: v.version,
          from: v.state,
          to: 'retired',
          actor,
          reason: `replaced by version ${target.version}: ${input.reason}`,
        });
        retired.push(v.version);
      }
    }
    return { app: input.app, version: target.version, state: to, retired };
  }
}
