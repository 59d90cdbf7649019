// Apps: submit manifests with their code as immutable, content-addressed versions; reads go to the registry.
import type { Clock } from '../core/clock.js';
import { InvalidInputError, UnavailableError, type ErrorDetail } from '../core/errors.js';
import { contentHash } from '../core/hash.js';
import { parseOrThrow } from '../core/validation.js';
import type { AuditSink } from '../core/sinks.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { Principal } from '../identity/principal.js';
import type { AdmissionHook, AdmissionResult } from '../admission/admission-types.js';
import { assertMaySubmit } from './app-ownership.js';
import type { Lifecycle } from './lifecycle.js';
import { isUniqueViolation, type SqlDb } from '../store/sql-db.js';
import type { AppVersionDiff } from './app-diff.js';
import type { AppRegistry, AppSummary } from './app-registry.js';
import type { AppStore } from './app-store.js';
import { checkReferences } from './manifest-references.js';
import { manifestSchema, type AppManifest, type AppReader, type AppVersion } from './manifest-schema.js';

export const CODE_LIMITS = { maxFileBytes: 256 * 1024, maxTotalBytes: 1024 * 1024, maxFiles: 50 };

export interface SubmitResult {
  created: boolean;
  version: AppVersion;
  /** Risk, findings and approval state, when admission is wired. */
  admission?: AdmissionResult;
}

export type Precheck = (candidate: { manifest: AppManifest; code: Record<string, string> }) => Promise<void>;

export interface AppServiceDeps {
  registry: AppRegistry;
  db: SqlDb;
  clock: Clock;
  catalog: CatalogReader;
  audit: AuditSink;
  /** Runs before anything is stored: the code must compile and the manifest's runtime tier must exist here. */
  precheck?: Precheck;
  /** Admission (checks, risk, approvals) runs after each new version is stored. */
  admission?: AdmissionHook;
}

/** Submission of app versions, over the registry every other feature reads apps through. */
export class AppService implements AppReader {
  readonly registry: AppRegistry;

  constructor(private readonly deps: AppServiceDeps) {
    this.registry = deps.registry;
  }

  get store(): AppStore {
    return this.registry.store;
  }

  get lifecycle(): Lifecycle {
    return this.registry.lifecycle;
  }

  async submit(rawManifest: unknown, code: Record<string, string>, submitter: Principal): Promise<SubmitResult> {
    const manifest = parseOrThrow(manifestSchema, rawManifest, 'app manifest');
    const app = manifest.metadata.name;
    const latest = await this.store.latest(app);
    assertMaySubmit(submitter, manifest, latest?.manifest);
    const refErrors = checkReferences(manifest, this.deps.catalog);
    checkCode(manifest.spec.runtime.entrypoint, manifest.spec.runtime.files, code, refErrors);
    if (refErrors.length)
      throw new InvalidInputError(`Invalid app manifest: ${refErrors[0].path}: ${refErrors[0].message}`, refErrors);
    if (this.deps.precheck) {
      try {
        await this.deps.precheck({ manifest, code });
      } catch (err) {
        // A tier this host cannot run is the manifest's problem to fix (pick another tier), so a 400 naming the field.
        if (err instanceof UnavailableError)
          throw new InvalidInputError(
            `Invalid app manifest: spec.runtime.tier: ${err.message}; pick a tier this host runs (\`gatehouse sandbox tiers\`).`,
            [{ path: 'spec.runtime.tier', message: err.message }],
          );
        throw err;
      }
    }
    const admissionHook = this.deps.admission;
    const hash = contentHash({ manifest, code });
    const existing = await this.store.byHash(app, hash);
    // A draft is a version whose admission never finished (the server failed mid-way): run it again.
    if (existing?.state === 'draft' && admissionHook) {
      const admission = await admissionHook.admit(existing, submitter);
      return { created: false, version: (await this.store.get(app, existing.version))!, admission };
    }
    if (existing) return { created: false, version: existing };
    const now = this.deps.clock.now();
    let version: number | undefined;
    // Two different submissions of one app racing on PostgreSQL both compute the next number; the loser retries.
    for (let attempt = 0; version === undefined; attempt++) {
      try {
        version = await this.deps.db.transaction((tx) =>
          this.store.insert(tx, {
            app,
            hash,
            manifest,
            code,
            state: 'draft',
            submittedBy: submitter.user,
            createdAt: now,
          }),
        );
        this.store.markChanged(app);
      } catch (err) {
        this.store.invalidate(app);
        // Two identical submissions racing: the loser returns the winner's version.
        const raced = await this.store.byHash(app, hash);
        if (raced) return { created: false, version: raced };
        if (!isUniqueViolation(err) || attempt >= 9) throw err;
      }
    }
    const stored = (await this.store.get(app, version))!;
    await this.deps.audit.append({
      type: 'app.submitted',
      actor: submitter.user,
      app,
      appVersion: version,
      data: { hash, state: 'draft' },
    });
    if (latest && latest.manifest.metadata.owner !== manifest.metadata.owner)
      await this.deps.audit.append({
        type: 'app.owner_changed',
        actor: submitter.user,
        app,
        appVersion: version,
        data: { from: latest.manifest.metadata.owner, to: manifest.metadata.owner },
      });
    const admission = admissionHook ? await admissionHook.admit(stored, submitter) : undefined;
    return { created: true, version: (await this.store.get(app, version))!, admission };
  }

  getVersion(app: string, version: number): Promise<AppVersion | undefined> {
    return this.registry.getVersion(app, version);
  }

  latestVersion(app: string): Promise<AppVersion | undefined> {
    return this.registry.latestVersion(app);
  }

  listVersions(app: string): Promise<AppVersion[]> {
    return this.registry.listVersions(app);
  }

  inForce(app: string): Promise<AppVersion | undefined> {
    return this.registry.inForce(app);
  }

  requireVersion(app: string, version?: number): Promise<AppVersion> {
    return this.registry.requireVersion(app, version);
  }

  list(): Promise<AppSummary[]> {
    return this.registry.list();
  }

  page(opts: { after?: string; limit: number; q?: string; state?: string }) {
    return this.registry.page(opts);
  }

  diff(app: string, from: number, to: number): Promise<AppVersionDiff> {
    return this.registry.diff(app, from, to);
  }
}

function checkCode(entrypoint: string, files: string[], code: Record<string, string>, errors: ErrorDetail[]): void {
  const declared = new Set([entrypoint, ...files]);
  let total = 0;
  if (Object.keys(code).length > CODE_LIMITS.maxFiles)
    errors.push({ path: 'code', message: `at most ${CODE_LIMITS.maxFiles} code files` });
  for (const f of declared) {
    if (f.startsWith('/') || f.split(/[\\/]/).includes('..'))
      errors.push({
        path: 'spec.runtime',
        message: `code path '${f}' must be relative and stay inside the app folder`,
      });
    else if (typeof code[f] !== 'string')
      errors.push({
        path: f === entrypoint ? 'spec.runtime.entrypoint' : 'spec.runtime.files',
        message: `code file '${f}' was not uploaded`,
      });
  }
  for (const [f, text] of Object.entries(code)) {
    if (!declared.has(f))
      errors.push({
        path: `code.${f}`,
        message: `file '${f}' is not named by spec.runtime.entrypoint or spec.runtime.files`,
      });
    const bytes = Buffer.byteLength(String(text));
    total += bytes;
    if (bytes > CODE_LIMITS.maxFileBytes)
      errors.push({ path: `code.${f}`, message: `file is ${bytes} bytes; the limit is ${CODE_LIMITS.maxFileBytes}` });
  }
  if (total > CODE_LIMITS.maxTotalBytes)
    errors.push({ path: 'code', message: `code totals ${total} bytes; the limit is ${CODE_LIMITS.maxTotalBytes}` });
}
