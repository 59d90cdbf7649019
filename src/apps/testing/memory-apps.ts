// In-memory apps reader for tests: the same rules as the registry (pickInForce over every version of an app),
// checked by the same contract suite (apps/app-reader-contract.ts).
import { newId } from '../../core/ids.js';
import { pickInForce } from '../lifecycle-states.js';
import { manifestSchema, type AppReader, type AppVersion } from '../manifest-schema.js';

export class MemoryApps implements AppReader {
  readonly versions: AppVersion[] = [];

  /** Stores a version (replacing one with the same app and number). */
  put(v: AppVersion): AppVersion {
    const i = this.versions.findIndex((x) => x.app === v.app && x.version === v.version);
    if (i >= 0) this.versions[i] = v;
    else this.versions.push(v);
    return v;
  }

  /** Parses a manifest and stores it as the app's next version in `state`. */
  add(manifest: unknown, code: Record<string, string>, state: AppVersion['state'] = 'released'): AppVersion {
    const m = manifestSchema.parse(manifest);
    const version = this.versions.filter((v) => v.app === m.metadata.name).length + 1;
    return this.put({
      app: m.metadata.name,
      version,
      hash: newId('h'),
      manifest: m,
      code,
      state,
      submittedBy: m.metadata.owner,
      createdAt: 0,
    });
  }

  async getVersion(app: string, version: number): Promise<AppVersion | undefined> {
    return this.versions.find((v) => v.app === app && v.version === version);
  }

  async latestVersion(app: string): Promise<AppVersion | undefined> {
    return (await this.listVersions(app)).at(-1);
  }

  async inForce(app: string): Promise<AppVersion | undefined> {
    return pickInForce(await this.listVersions(app));
  }

  async listVersions(app: string): Promise<AppVersion[]> {
    return this.versions.filter((v) => v.app === app).sort((a, b) => a.version - b.version);
  }
}
