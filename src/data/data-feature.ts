// The data layer's wiring: DataSource engines, the SQL path and the file path, sharing one tokenize key derived from
// the server's audit salt (so tokens stay stable across restarts and replicas that share GATEHOUSE_HOME).
import { createHmac } from 'node:crypto';
import { loadSalt } from '../audit/keys.js';
import type { DataSourceDoc, DataSourceReader } from '../catalog/catalog-schema.js';
import type { AuditSink } from '../core/sinks.js';
import type { CredentialEvent } from './pg-run-credentials.js';
import { DatasetQuery } from '../connectors/dataset-query.js';
import { DataSources } from './data-sources.js';
import { DataSql } from './data-sql.js';

export interface DataFeature {
  sql: DataSql;
  datasets: DatasetQuery;
  sources: DataSources;
  /** Drops per-run roles whose run expired (a crash or kill left them); run on start. Returns the roles dropped. */
  sweep(now: number): Promise<string[]>;
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
  const sources = new DataSources({ sources: d.sources, home: d.home, env: d.env, tokenKey, onCredential });
  return {
    sql: new DataSql(sources, { tokenKey, auditKey }),
    datasets: new DatasetQuery(d.home, tokenKey),
    sources,
    async sweep(now) {
      const dropped: string[] = [];
      for (const doc of d.list()) {
        if (doc.spec.engine !== 'postgres' || !doc.spec.runCredentials) continue;
        const creds = sources.runCredentials(doc.metadata.name);
        if (creds) dropped.push(...(await creds.sweep(now)));
      }
      return dropped;
    },
    close: () => sources.close(),
  };
}
