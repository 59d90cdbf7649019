// Canary releases: start a candidate beside the version in force, run each stage of its CanaryPolicy (a replay on
// obfuscated data, then live traffic shares), let the analysis gate decide, and promote or abort. Every step is
// audited; an abort takes a forensic snapshot, rolls the candidate back and notifies the owner; a kill switch on the
// app or the candidate aborts too.
import { assertAppManager } from '../apps/app-ownership.js';
import type { AppReader, AppVersion } from '../apps/manifest-schema.js';
import type { TransitionInput, TransitionResult } from '../apps/lifecycle.js';
import type { Clock } from '../core/clock.js';
import { parseDuration } from '../core/duration.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import type { CutSignalFor } from '../core/governance.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { AuditSink } from '../core/sinks.js';
import { SYSTEM_PRINCIPAL, type Principal } from '../identity/principal.js';
import type { Notifier } from '../notify/webhook-notifier.js';
import type { Releases } from '../rollout/release.js';
import type { SqlDb } from '../store/sql-db.js';
import { analyze, type Analysis } from './analysis.js';
import type { CanaryTraffic, Split } from './canary-traffic.js';
import { DEFAULT_CANARY_POLICY, type CanaryPolicy } from './canary-policy.js';
import { replay, type ReplayDeps } from './canary-replay.js';
import { CanaryStore, type CanaryRecord, type StoredVerdict } from './canary-store.js';
import type { ReplayStore } from './replay-store.js';

export interface CanaryServiceDeps {
  db: SqlDb;
  clock: Clock;
  logger: Logger;
  audit: AuditSink;
  apps: Pick<AppReader, 'listVersions' | 'inForce'>;
  releases: Releases;
  lifecycle: { transition(t: TransitionInput): Promise<TransitionResult> };
  snapshots: { take(app: string, reason: string, actor: string): Promise<{ id: string }> };
  traffic: CanaryTraffic;
  replayStore: ReplayStore;
  replay: Omit<ReplayDeps, 'now'>;
  notifier: Notifier;
  cutSignal?: CutSignalFor;
}

export interface CanaryStatus {
  canary: CanaryRecord;
  verdicts: StoredVerdict[];
}

export class CanaryService {
  private readonly store: CanaryStore;
  /** Canaries whose stage is being decided right now (a tick and a status call must not decide twice). */
  private readonly busy = new Set<string>();

  constructor(private readonly deps: CanaryServiceDeps) {
    this.store = new CanaryStore(deps.db);
  }

  /** After a restart: live splits back in the router, kill switches watched again. */
  async resume(): Promise<void> {
    for (const c of await this.store.running()) {
      this.watchKills(c);
      // One canary whose versions cannot be read must not keep the server from starting; its stage check will fail.
      await this.route(c).catch((err: Error) =>
        this.deps.logger.error('canary: live split not restored', { app: c.app, error: err.message }),
      );
    }
  }

  async start(input: {
    app: string;
    version?: number;
    policy?: CanaryPolicy;
    actor: Principal;
  }): Promise<CanaryStatus> {
    const { app, actor } = input;
    const versions = await this.deps.apps.listVersions(app);
    if (versions.length === 0) throw new NotFoundError('App', app, 'see `gatehouse app list`');
    const baseline = await this.deps.apps.inForce(app);
    if (!baseline || baseline.state !== 'released')
      throw new ConflictError(`App '${app}' has no released version to compare a canary with; release one first.`);
    const candidate =
      input.version === undefined
        ? versions.filter((v) => v.state === 'approved' && v.version > baseline.version).at(-1)
        : versions.find((v) => v.version === input.version);
    if (!candidate || candidate.state !== 'approved')
      throw new ConflictError(
        candidate
          ? `Version ${candidate.version} of '${app}' is ${candidate.state}; a canary needs an approved version.`
          : `App '${app}' has no approved version ${input.version ?? `newer than ${baseline.version}`} to canary.`,
      );
    assertAppManager(actor, candidate.manifest, 'start a canary of');
    if (await this.store.active(app))
      throw new ConflictError(`App '${app}' already has a canary running; see \`gatehouse canary status ${app}\`.`);
    const policy = input.policy ?? DEFAULT_CANARY_POLICY;
    await this.deps.releases.release({ app, version: candidate.version, canary: true, actor, reason: 'canary start' });
    const now = this.deps.clock.now();
    const c: CanaryRecord = {
      id: newId('can', now),
      app,
      candidate: candidate.version,
      baseline: baseline.version,
      state: 'running',
      stage: 0,
      stageStartedAt: now,
      policy,
      actor: actor.user,
      startedAt: now,
    };
    await this.store.insert(c);
    await this.audit('canary.started', actor.user, c, {
      baseline: c.baseline,
      policy: policy.metadata.name,
      stages: policy.spec.stages,
    });
    this.watchKills(c);
    try {
      await this.enterStage(c, 0, baseline, candidate);
    } catch (err) {
      // Fail closed: a stage that cannot run (copy, replay or store failure) ends the canary rather than leaving the
      // candidate in canary with nothing deciding it.
      await this.finishAbort(c, 'gatehouse', `stage ${c.stage} could not run: ${(err as Error).message}`.slice(0, 500));
    }
    return this.status(app);
  }

  async status(app: string): Promise<CanaryStatus> {
    await this.tick(app);
    const canary = await this.store.latest(app);
    if (!canary) throw new NotFoundError('Canary of app', app, 'start one with `gatehouse canary start`');
    return { canary, verdicts: await this.store.verdicts(canary.id) };
  }

  async promote(input: { app: string; actor: Principal; reason: string }): Promise<CanaryStatus> {
    const c = await this.activeOrThrow(input.app);
    assertAppManager(input.actor, await this.manifestOf(c), 'promote a canary of');
    await this.finishPromote(c, input.actor, `manual: ${input.reason}`);
    return this.status(input.app);
  }

  async abort(input: { app: string; actor: Principal; reason: string }): Promise<CanaryStatus> {
    const c = await this.activeOrThrow(input.app);
    assertAppManager(input.actor, await this.manifestOf(c), 'abort a canary of');
    await this.finishAbort(c, input.actor.user, `manual: ${input.reason}`);
    return this.status(input.app);
  }

  /** Decides live stages whose duration has passed (every app, or one); run on a timer and on status. */
  async tick(only?: string): Promise<void> {
    for (const c of await this.store.running()) {
      if (only !== undefined && c.app !== only) continue;
      const stage = c.policy.spec.stages[c.stage];
      if (stage.traffic <= 0 || this.busy.has(c.id)) continue;
      if (this.deps.clock.now() - c.stageStartedAt < parseDuration(stage.duration ?? '0s', 'duration')) continue;
      this.busy.add(c.id);
      try {
        const s = await this.store.samples(c.id, c.stage);
        await this.decide(c, analyze(s.baseline, s.candidate, c.policy.spec.thresholds, stage.minSamples));
      } finally {
        this.busy.delete(c.id);
      }
    }
  }

  private async enterStage(c: CanaryRecord, stage: number, baseline?: AppVersion, candidate?: AppVersion) {
    const now = this.deps.clock.now();
    Object.assign(c, { stage, stageStartedAt: now, state: 'running' });
    await this.store.update(c);
    const s = c.policy.spec.stages[stage];
    await this.route(c);
    await this.audit('canary.stage_started', 'gatehouse', c, { stage, ...s });
    if (s.replay === undefined) return;
    const [b, k] = baseline && candidate ? [baseline, candidate] : await this.pair(c);
    const inputs = await this.deps.replayStore.sample(c.app, c.baseline, s.replay);
    const deps = { ...this.deps.replay, now: () => this.deps.clock.now() };
    const r = await replay(deps, { baseline: b, candidate: k, inputs, user: c.actor, canaryId: c.id });
    await this.decide(c, analyze(r.baseline, r.candidate, c.policy.spec.thresholds, s.minSamples), r.copies);
  }

  private async decide(c: CanaryRecord, a: Analysis, copies?: number): Promise<void> {
    await this.store.addVerdict({
      id: newId('cvd', this.deps.clock.now()),
      canaryId: c.id,
      stage: c.stage,
      verdict: a.verdict,
      analysis: a,
      decidedAt: this.deps.clock.now(),
    });
    await this.audit('canary.verdict', 'gatehouse', c, {
      stage: c.stage,
      verdict: a.verdict,
      samples: a.samples,
      metrics: a.metrics,
      reasons: a.reasons,
      ...(copies !== undefined ? { obfuscatedCopies: copies } : {}),
    });
    if (a.verdict === 'fail')
      return this.finishAbort(c, 'gatehouse', `analysis gate failed at stage ${c.stage}: ${a.reasons.join('; ')}`);
    if (a.verdict === 'inconclusive') {
      c.state = 'paused';
      await this.store.update(c);
      await this.deps.traffic.update(c.app, undefined);
      return;
    }
    if (c.stage + 1 < c.policy.spec.stages.length) return this.enterStage(c, c.stage + 1);
    return this.finishPromote(c, undefined, `analysis gate passed all ${c.policy.spec.stages.length} stages`);
  }

  private async finishPromote(c: CanaryRecord, who: Principal | undefined, reason: string): Promise<void> {
    // The gate's own promotion acts as the system (the audit entry says why); a person's goes under their name.
    const actor: Principal = who ?? SYSTEM_PRINCIPAL;
    await this.deps.traffic.update(c.app, undefined);
    await this.deps.releases.release({ app: c.app, version: c.candidate, actor, reason: `canary promoted: ${reason}` });
    await this.end(c, 'promoted', reason);
    await this.audit('canary.promoted', actor.user, c, { reason });
    await this.notify(c, 'canary.promoted', `Canary of ${c.app} v${c.candidate} promoted: ${reason}`);
  }

  private async finishAbort(c: CanaryRecord, actor: string, reason: string): Promise<void> {
    await this.deps.traffic.update(c.app, undefined);
    const snap = await this.deps.snapshots.take(c.app, `canary abort: ${reason}`.slice(0, 500), actor);
    c.snapshotId = snap.id;
    await this.deps.lifecycle.transition({
      app: c.app,
      version: c.candidate,
      to: 'rolled_back',
      actor,
      reason: `canary aborted: ${reason}`,
    });
    await this.end(c, 'aborted', reason);
    await this.audit('canary.aborted', actor, c, { reason, snapshotId: snap.id });
    await this.notify(c, 'canary.aborted', `Canary of ${c.app} v${c.candidate} aborted and rolled back: ${reason}`);
  }

  private async end(c: CanaryRecord, state: 'promoted' | 'aborted', reason: string) {
    Object.assign(c, { state, endedAt: this.deps.clock.now(), endReason: reason.slice(0, 2000) });
    await this.store.update(c);
  }

  /** Watches the kill switches: a kill on the app or the candidate version aborts the canary. */
  private watchKills(c: CanaryRecord): void {
    const signal = this.deps.cutSignal?.({ app: c.app, appVersion: c.candidate });
    signal?.addEventListener('abort', () => {
      void (async () => {
        const cur = await this.store.active(c.app);
        if (cur?.id !== c.id) return;
        const why = signal.reason instanceof Error ? signal.reason.message : 'kill switch';
        await this.finishAbort(cur, 'kill-switch', why);
      })().catch((err: Error) =>
        this.deps.logger.error('canary: abort on kill failed', { app: c.app, error: err.message }),
      );
    });
  }

  /** The router's split and the canary's flag row at the current stage (off at a replay stage). */
  private async route(c: CanaryRecord): Promise<void> {
    const environment = (await this.manifestOf(c)).spec.environment;
    await this.deps.traffic.update(c.app, { ...splitOf(c), environment });
  }

  private async pair(c: CanaryRecord): Promise<[AppVersion, AppVersion]> {
    const vs = await this.deps.apps.listVersions(c.app);
    const b = vs.find((v) => v.version === c.baseline);
    const k = vs.find((v) => v.version === c.candidate);
    if (!b || !k) throw new NotFoundError('Version of app', c.app);
    return [b, k];
  }

  private async manifestOf(c: CanaryRecord) {
    return (await this.pair(c))[1].manifest;
  }

  private async activeOrThrow(app: string): Promise<CanaryRecord> {
    const c = await this.store.active(app);
    if (!c)
      throw new ConflictError(`App '${app}' has no canary running or paused; see \`gatehouse canary status ${app}\`.`);
    return c;
  }

  private async audit(type: string, actor: string, c: CanaryRecord, data: Record<string, unknown>) {
    await this.deps.audit.append({
      type,
      actor,
      app: c.app,
      appVersion: c.candidate,
      ids: {},
      data: { canaryId: c.id, ...data },
    });
  }

  /** Tells the owner (the candidate manifest's metadata.owner) through the webhook notifier. */
  private async notify(c: CanaryRecord, type: 'canary.aborted' | 'canary.promoted', text: string) {
    const owner = (await this.manifestOf(c).catch(() => undefined))?.metadata.owner;
    this.deps.notifier.notify({
      type,
      time: this.deps.clock.now(),
      text,
      data: {
        app: c.app,
        candidate: c.candidate,
        baseline: c.baseline,
        canaryId: c.id,
        owner,
        snapshotId: c.snapshotId,
      },
    });
  }
}

/** The router's view of a canary at its current stage. */
function splitOf(c: CanaryRecord): Omit<Split, 'environment'> {
  const traffic = c.policy.spec.stages[c.stage].traffic;
  return { canaryId: c.id, candidate: c.candidate, baseline: c.baseline, stage: c.stage, traffic };
}
