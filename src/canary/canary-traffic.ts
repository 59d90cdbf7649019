// The live side of a canary: which users a live stage sends to the candidate (a sticky percentage rollout flag row of
// its own, `<app>#canary`, so the share is stored, audited, broadcast and shown by `gatehouse flag list`, and does not
// line up with the app's own ramp) and what finished runs tell it (inputs of the version in force for the replay
// store, samples of both versions during a live stage).
import type { AppReader } from '../apps/manifest-schema.js';
import type { Clock } from '../core/clock.js';
import type { Environment } from '../core/governance.js';
import { canaryFlagApp, type FlagService } from '../rollout/flags.js';
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
  /** The candidate's environment: the flag row's. */
  environment: Environment;
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
      flags: Pick<FlagService, 'get' | 'set' | 'evaluate'>;
    },
  ) {}

  /**
   * The canary service keeps this in step with its stored state (start, stage change, end, restart): the split in
   * memory (which canary and stage the samples belong to) and the share in the canary's flag row (on at a live
   * stage's percentage, off otherwise; written only when it changes).
   */
  async update(app: string, split: Split | undefined): Promise<void> {
    const prev = this.splits.get(app);
    if (split) this.splits.set(app, split);
    else this.splits.delete(app);
    const environment = split?.environment ?? prev?.environment;
    if (!environment) return;
    const name = canaryFlagApp(app);
    const percentage = split?.traffic ?? 0;
    const cur = this.deps.flags.get(name, environment);
    if (cur ? cur.enabled === percentage > 0 && cur.percentage === percentage : percentage === 0) return;
    await this.deps.flags.set({
      app: name,
      environment,
      enabled: percentage > 0,
      percentage,
      groups: [],
      actor: 'gatehouse',
    });
  }

  split(app: string): Split | undefined {
    return this.splits.get(app);
  }

  versionFor(app: string, user: string): number | undefined {
    const s = this.splits.get(app);
    if (!s || s.traffic <= 0) return undefined;
    const r = this.deps.flags.evaluate(canaryFlagApp(app), s.environment, user);
    return r.reason === 'ramp_in' || r.reason === 'group' ? s.candidate : undefined;
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
