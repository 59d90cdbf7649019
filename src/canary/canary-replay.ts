// Stage 0 of a canary: obfuscated copies of the sensitive datasets both versions read, then the recorded inputs of the
// version in force replayed against the baseline and the candidate in turn (same inputs, same copies, interleaved so
// load drifts hit both arms alike), each run measured as a sample. The copies are deleted when the replay ends.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AppVersion } from '../apps/manifest-schema.js';
import type { CatalogReader, DatasetDoc } from '../catalog/catalog-schema.js';
import type { AuditSink } from '../core/sinks.js';
import type { DataSources } from '../data/data-sources.js';
import type { RunOutcome, RunRequest } from '../sandbox/app-runner.js';
import { obfuscateDataset, type CanaryCopy } from './obfuscate.js';
import { sampleOf, sampleOfError, type RunSample, type ScanTypes } from './run-sample.js';

export interface ReplayDeps {
  catalog: CatalogReader;
  audit: AuditSink;
  home: string;
  sources?: DataSources;
  now: () => number;
  run: (req: RunRequest) => Promise<RunOutcome>;
  scan: ScanTypes;
}

export function isSensitive(doc: DatasetDoc): boolean {
  return (
    doc.spec.classification === 'pii' ||
    doc.spec.classification === 'regulated' ||
    doc.spec.columns.some((c) => c.tags.includes('pii') || c.tags.includes('regulated'))
  );
}

/** Obfuscated copies of every sensitive dataset either version declares, audited (counts and kinds, never values). */
export async function copiesFor(d: ReplayDeps, versions: AppVersion[], canaryId: string, actor: string) {
  const names = new Set(versions.flatMap((v) => (v.manifest.spec.data ?? []).map((x) => x.dataset)));
  const copies: CanaryCopy[] = [];
  try {
    for (const name of names) {
      const doc = d.catalog.dataset(name);
      if (!doc?.spec.source || !isSensitive(doc)) continue;
      const copy = await obfuscateDataset(doc, { home: d.home, sources: d.sources, now: d.now() });
      copies.push(copy);
      copies[copies.length - 1] = servedAsSource(d, doc, copy);
      await d.audit.append({
        type: 'dataset.obfuscated',
        actor,
        app: versions[0].app,
        ids: {},
        data: {
          canaryId,
          dataset: name,
          copyId: copy.copyId,
          rows: copy.rows,
          columns: copy.columns.filter((c) => c.kind).map((c) => `${c.name}:${c.kind}`),
        },
      });
    }
  } catch (err) {
    // A copy made before the failure must not outlive the stage that could not run.
    await dropCopies(d, copies);
    throw err;
  }
  return copies;
}

/**
 * A copy of a DataSource-backed dataset is served as a temporary SQLite source, so runs reach it the way they reach the
 * original: ctx.data.sql and ctx.data.query both through the data layer's SQL guard (declared columns, masks, limits).
 */
function servedAsSource(d: ReplayDeps, original: DatasetDoc, copy: CanaryCopy): CanaryCopy {
  const s = original.spec.source;
  if (!s || !('dataSource' in s) || !d.sources) return copy;
  const from = d.sources.doc(s.dataSource);
  const name = d.sources.addTemporary(copy.copyId, copy.path, { owner: from.metadata.owner, region: from.spec.region });
  const doc: DatasetDoc = { ...copy.doc, spec: { ...copy.doc.spec, source: { dataSource: name, table: copy.table } } };
  return { ...copy, doc, source: name };
}

export async function dropCopies(d: Pick<ReplayDeps, 'home' | 'sources'>, copies: readonly CanaryCopy[]) {
  for (const c of copies) {
    if (c.source) await d.sources?.removeTemporary(c.source);
    rmSync(join(d.home, c.path), { force: true });
  }
}

export async function replay(
  d: ReplayDeps,
  input: { baseline: AppVersion; candidate: AppVersion; inputs: unknown[]; user: string; canaryId: string },
): Promise<{ baseline: RunSample[]; candidate: RunSample[]; copies: number }> {
  const copies = await copiesFor(d, [input.baseline, input.candidate], input.canaryId, input.user);
  const datasets = Object.fromEntries(copies.map((c) => [c.dataset, c.doc]));
  const out = { baseline: [] as RunSample[], candidate: [] as RunSample[], copies: copies.length };
  try {
    for (const i of input.inputs) {
      for (const arm of ['baseline', 'candidate'] as const) {
        const v = input[arm];
        try {
          const r = await d.run({ app: v.app, version: v.version, input: i, user: input.user, datasets });
          out[arm].push(sampleOf('ok', r.usage, r.output, d.scan));
        } catch (err) {
          out[arm].push(sampleOfError(err));
        }
      }
    }
  } finally {
    await dropCopies(d, copies);
  }
  return out;
}
