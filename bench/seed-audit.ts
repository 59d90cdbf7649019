// Bench helper: appends N audit entries straight into a live Gatehouse's store, the way another replica would: real
// envelopes (encodeEntry), leaf hashes and stored subtrees extending the current tree, 20k rows per transaction, and
// one signed checkpoint at the end. The running log catches up (and checks the extension) on its next append.
import { performance } from 'node:perf_hooks';
import type { SqlDb } from '../src/store/sql-db.js';
import {
  insertCheckpoint,
  insertEntries,
  latestCheckpoint,
  leafRows,
  subtreeCollector,
  type EntryRow,
} from '../src/audit/audit-store.js';
import { encodeEntry } from '../src/audit/event.js';
import { loadSigningKey } from '../src/audit/keys.js';
import { CompactRange, hashLeaf } from '../src/audit/merkle.js';
import { signCheckpoint } from '../src/audit/note.js';
import type { AuditEventInput } from '../src/core/sinks.js';

const CHUNK = 20_000;

/** A realistic mix: decisions, finished runs and lifecycle changes of the given apps, spread over the last 7 days. */
function eventFor(i: number, apps: readonly string[]): AuditEventInput {
  const app = apps[i % apps.length];
  const kind = Math.floor(i / apps.length) % 10; // not i % 10: with 1,000 apps that would give each app one kind
  if (kind < 7)
    return {
      type: 'decision',
      actor: `user${i % 97}`,
      app,
      appVersion: 1,
      ids: { decisionId: `dec_bench${String(i).padStart(12, '0')}` },
      data: { effect: i % 13 ? 'allow' : 'deny', action: 'model.invoke', policies: ['limit_model_tokens'] },
    };
  if (kind < 9)
    return {
      type: 'app.run.finished',
      actor: `user${i % 97}`,
      app,
      appVersion: 1,
      ids: { runId: `run_bench${String(i).padStart(12, '0')}` },
      data: { outcome: i % 17 ? 'ok' : 'timeout', tier: 'wasm', usage: { wallMs: 20 + (i % 400), costUsd: 0.0004 } },
    };
  return {
    type: 'app.lifecycle',
    actor: 'alice',
    app,
    appVersion: 1,
    ids: {},
    data: { from: 'approved', to: 'released' },
  };
}

export async function seedAudit(
  db: SqlDb,
  home: string,
  n: number,
  apps: readonly string[],
  origin = 'gatehouse/audit',
): Promise<{ seconds: number; size: number }> {
  const started = performance.now();
  // The current right edge, from the stored leaf hashes (the log holds a few thousand entries at this point).
  const head = await latestCheckpoint(db);
  const range = new CompactRange();
  for (let at = 0; at < (head?.size ?? 0); at += 10_000)
    for (const r of await leafRows(db, at, Math.min(10_000, head!.size - at), true)) range.append(r.leaf_hash!);
  if (head && !range.root().equals(head.root)) throw new Error('stored leaves do not give the newest checkpoint');
  const key = loadSigningKey(home);
  const to = range.size + n;
  const now = Date.now();
  while (range.size < to) {
    const end = Math.min(to, range.size + CHUNK);
    await db.transaction(async (tx) => {
      const rows: EntryRow[] = [];
      const subtrees = subtreeCollector();
      for (let i = range.size; i < end; i++) {
        const event = eventFor(i, apps);
        const time = now - 7 * 86_400_000 + Math.floor(((i - (to - n)) / n) * 7 * 86_400_000);
        const leaf = encodeEntry(event, i, time);
        const leafHash = hashLeaf(leaf);
        range.append(leafHash, subtrees.onNode);
        rows.push({
          index: i,
          leaf,
          leafHash,
          type: event.type,
          app: event.app ?? null,
          time,
          subtrees: subtrees.take(),
        });
      }
      await insertEntries(tx, rows);
      if (range.size === to) {
        const root = range.root();
        await insertCheckpoint(tx, {
          size: to,
          root,
          note: signCheckpoint({ origin, size: to, root }, origin, key),
          time: now,
        });
      }
    });
  }
  return { seconds: (performance.now() - started) / 1000, size: to };
}
