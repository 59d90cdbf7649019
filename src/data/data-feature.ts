// The data layer's wiring: DataSource engines, the SQL path and the file path, sharing one tokenize key derived from
// the server's audit salt (so tokens stay stable across restarts and replicas that share GATEHOUSE_HOME).
import { createHmac } from 'node:crypto';
import { loadSalt } from '../audit/keys.js';
import type { DataSourceDoc, DataSourceReader } from '../catalog/catalog-schema.js';
import type { AuditSink } from '../core/sinks.js';
import type { CredentialEvent } from './run-credentials.js';
import { DatasetQuery } from '../connectors/dataset-query.js';
import { DataSources } from './data-sources.js';
import { DataSql } from './data-sql.js';

export interface DataFeature {
  sql: DataSql;
  datasets: DatasetQuery;
  sources: DataSources;
  /**
   * Drops per-run database users whose run expired or whose server is gone (a crash or kill left them); run on start
   * and periodically. Returns the users dropped.
   */
  sweep(now: number): Promise<string[]>;
  /** Sweeps now and then every `everyMs` (unref'd) until close(), so expired users go at their TTL too. */
  startSweeper(now: () => number, everyMs: number, onError: (err: Error) => void): void;
  close(): Promise<void>;
}

export function createDataFeature(d: {
  sources: DataSourceReader;
  /** Every DataSource (for the sweeper). */
  list: () => readonly DataSourceDoc[];
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  audit?: AuditSink;
}): DataFeature {
  const salt = loadSalt(d.home);
  const tokenKey = createHmac('sha256', salt).update('data.tokenize').digest('hex');
  const auditKey = createHmac('sha256', salt).update('data.sql-hash').digest('hex');
  const onCredential = async (e: CredentialEvent) => {
    await d.audit
      ?.append({
        type: `data.credential.${e.type}`,
        actor: 'gatehouse',
        ids: e.runId ? { runId: e.runId } : {},
        data: { ...e },
      })
      .catch(() => undefined);
  };
  let timer: NodeJS.Timeout | undefined;
  const sources = new DataSources({ sources: d.sources, home: d.home, env: d.env, tokenKey, onCredential });
  const feature: DataFeature = {
    sql: new DataSql(sources, { tokenKey, auditKey }),
    datasets: new DatasetQuery(d.home, tokenKey),
    sources,
    async sweep(now) {
      const dropped: string[] = [];
      const failed: string[] = [];
      // One unreachable source must not keep the others' leftovers alive: sweep each, report failures together.
      for (const doc of d.list()) {
        if (!['postgres', 'mysql'].includes(doc.spec.engine) || !doc.spec.runCredentials) continue;
        try {
          const creds = sources.runCredentials(doc.metadata.name);
          if (creds) dropped.push(...(await creds.sweep(now)));
        } catch (err) {
          failed.push(`${doc.metadata.name}: ${(err as Error).message}`);
        }
      }
      if (failed.length) throw new Error(`run credential sweep failed for ${failed.join('; ')}`);
      return dropped;
    },
    startSweeper(now, everyMs, onError) {
      const tick = () => void feature.sweep(now()).catch(onError);
      tick();
      timer = setInterval(tick, everyMs);
      timer.unref();
    },
    close: async () => {
      if (timer) clearInterval(timer);
      await sources.close();
    },
  };
  return feature;
}
