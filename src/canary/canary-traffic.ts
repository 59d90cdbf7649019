// The live side of a canary: which users a live stage sends to the candidate (the sticky bucket of rollout flags,
// salted per canary so it does not line up with the app's own ramp) and what finished runs tell it (inputs of the
// version in force for the replay store, samples of both versions during a live stage).
import type { AppReader } from '../apps/manifest-schema.js';
import type { Clock } from '../core/clock.js';
import { rampBucket } from '../rollout/flags.js';
import type { RunObservation, RunRouter } from '../sandbox/app-runner.js';
import type { SqlDb } from '../store/sql-db.js';
import type { ReplayStore } from './replay-store.js';
import { sampleOf, type ScanTypes } from './run-sample.js';

export interface Split {
  canaryId: string;
  candidate: number;
  baseline: number;
  stage: number;
  /** 0..100; 0 = no live traffic (a replay stage). */
  traffic: number;
}

export class CanaryTraffic implements RunRouter {
  private readonly splits = new Map<string, Split>();

  constructor(
    private readonly deps: {
      db: SqlDb;
      clock: Clock;
      apps: Pick<AppReader, 'inForce'>;
      replay: ReplayStore;
      scan: ScanTypes;
    },
  ) {}

  /** The canary service keeps this in step with its stored state (start, stage change, end, restart). */
  update(app: string, split: Split | undefined): void {
    if (split) this.splits.set(app, split);
    else this.splits.delete(app);
  }

  split(app: string): Split | undefined {
    return this.splits.get(app);
  }

  versionFor(app: string, user: string): number | undefined {
    const s = this.splits.get(app);
    if (!s || s.traffic <= 0) return undefined;
    return rampBucket(`${app}\u0000canary:${s.canaryId}`, user) < Math.round(s.traffic * 100) ? s.candidate : undefined;
  }

  async observe(o: RunObservation): Promise<void> {
    if (o.replay) return; // the canary's own replays are measured where they run, and never recorded again
    const s = this.splits.get(o.app);
    if (s && s.traffic > 0 && (o.version === s.candidate || o.version === s.baseline)) {
      const sample = sampleOf(o.outcome, o.usage, o.output, this.deps.scan);
      await this.deps.db.run(
        'INSERT INTO canary_samples (canary_id, stage, arm, sample, created_at) VALUES (?, ?, ?, ?, ?)',
        [
          s.canaryId,
          s.stage,
          o.version === s.candidate ? 'candidate' : 'baseline',
          JSON.stringify(sample),
          this.deps.clock.now(),
        ],
      );
    }
    const inForce = await this.deps.apps.inForce(o.app);
    if (inForce?.version === o.version && inForce.state === 'released')
      await this.deps.replay.record(o.app, o.version, o.input);
  }
}
