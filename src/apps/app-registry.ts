// The apps registry: reads app versions (cached per app, following other replicas) and owns their lifecycle.
// It exists before admission, approvals, rollout and govern(), which all read apps through it.
import type { z } from 'zod';
import type { appSummarySchema } from './app-api-schemas.js';
import type { Clock } from '../core/clock.js';
import { NotFoundError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import type { AuditSink } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import type { SqlDb } from '../store/sql-db.js';
import { diffVersions, type AppVersionDiff } from './app-diff.js';
import { AppStore } from './app-store.js';
import { Lifecycle } from './lifecycle.js';
import { pickInForce } from './lifecycle-states.js';
import type { AppReader, AppVersion } from './manifest-schema.js';

const APPS_CHANNEL = 'gatehouse.apps';

export type AppSummary = z.output<typeof appSummarySchema>;

export class AppRegistry implements AppReader {
  readonly store: AppStore;
  /** The one way versions change state: legal moves only, compare-and-set, audited. */
  readonly lifecycle: Lifecycle;

  constructor(private readonly deps: { db: SqlDb; clock: Clock; audit: AuditSink; coord?: Coordination }) {
    this.store = new AppStore(deps.db);
    this.lifecycle = new Lifecycle(
      {
        setState: (app, version, from, to) => this.store.setState(app, version, from, to, deps.clock.now()),
        getState: async (app, version) => (await this.store.get(app, version))?.state,
      },
      deps.audit,
    );
  }

  /** Follows version and state changes made by other replicas (the store caches versions per app). */
  async start(): Promise<void> {
    const coord = this.deps.coord;
    if (!coord) return;
    this.store.onChange = (app) => void coord.publish(APPS_CHANNEL, app).catch(() => {});
    await coord.subscribe(APPS_CHANNEL, (app) => this.store.invalidate(app));
  }

  async getVersion(app: string, version: number): Promise<AppVersion | undefined> {
    return this.store.get(app, version);
  }

  async latestVersion(app: string): Promise<AppVersion | undefined> {
    return this.store.latest(app);
  }

  async listVersions(app: string): Promise<AppVersion[]> {
    return this.store.versions(app);
  }

  async inForce(app: string): Promise<AppVersion | undefined> {
    return pickInForce(await this.store.versions(app));
  }

  async requireVersion(app: string, version?: number): Promise<AppVersion> {
    const v = version === undefined ? await this.store.latest(app) : await this.store.get(app, version);
    if (v) return v;
    const names = await this.store.appNames();
    if (!names.includes(app)) throw new NotFoundError('App', app, didYouMean(app, names));
    throw new NotFoundError(`Version ${version} of app`, app, 'see `gatehouse app versions`');
  }

  async list(): Promise<AppSummary[]> {
    return this.summaries(await this.store.appNames());
  }

  /** One page of apps in name order; `next` is the `after` of the following page, null on the last. */
  async page(opts: {
    after?: string;
    limit: number;
    q?: string;
    state?: string;
  }): Promise<{ items: AppSummary[]; next: string | null }> {
    const names = await this.store.pageNames({ ...opts, limit: opts.limit + 1 });
    const more = names.length > opts.limit;
    const items = await this.summaries(names.slice(0, opts.limit));
    return { items, next: more ? items[items.length - 1].name : null };
  }

  private async summaries(names: readonly string[]): Promise<AppSummary[]> {
    const out: AppSummary[] = [];
    for (const name of names) {
      const latest = (await this.store.latest(name))!;
      const force = await this.inForce(name);
      out.push({
        name,
        owner: latest.manifest.metadata.owner,
        latest: latest.version,
        state: latest.state,
        inForce: force?.version ?? null,
        environment: latest.manifest.spec.environment,
      });
    }
    return out;
  }

  async diff(app: string, from: number, to: number): Promise<AppVersionDiff> {
    return diffVersions(await this.requireVersion(app, from), await this.requireVersion(app, to));
  }
}
