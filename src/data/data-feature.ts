// The data layer's wiring: DataSource engines, the SQL path and the file path, sharing one tokenize key derived from
// the server's audit salt (so tokens stay stable across restarts and replicas that share GATEHOUSE_HOME).
import { createHmac } from 'node:crypto';
import { loadSalt } from '../audit/keys.js';
import type { DataSourceReader } from '../catalog/catalog-schema.js';
import { DatasetQuery } from '../connectors/dataset-query.js';
import { DataSources } from './data-sources.js';
import { DataSql } from './data-sql.js';

export interface DataFeature {
  sql: DataSql;
  datasets: DatasetQuery;
  sources: DataSources;
  close(): Promise<void>;
}

export function createDataFeature(d: {
  sources: DataSourceReader;
  home: string;
  env: Readonly<Record<string, string | undefined>>;
}): DataFeature {
  const salt = loadSalt(d.home);
  const tokenKey = createHmac('sha256', salt).update('data.tokenize').digest('hex');
  const auditKey = createHmac('sha256', salt).update('data.sql-hash').digest('hex');
  const sources = new DataSources({ sources: d.sources, home: d.home, env: d.env, tokenKey });
  return {
    sql: new DataSql(sources, { tokenKey, auditKey }),
    datasets: new DatasetQuery(d.home, tokenKey),
    sources,
    close: () => sources.close(),
  };
}
