// Tables of the telemetry feature: per-minute aggregates, alert rules and alert firings.
import type { Migration } from '../store/sql-db.js';

export const telemetryMigrations: Migration[] = [
  {
    id: 'telemetry-001-aggregates',
    sql: `CREATE TABLE telemetry_minutes (
  minute BIGINT NOT NULL,
  dim TEXT NOT NULL,
  dim_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  metric TEXT NOT NULL,
  total DOUBLE PRECISION NOT NULL,
  samples BIGINT NOT NULL,
  PRIMARY KEY (minute, dim, dim_key, kind, metric)
);
CREATE INDEX telemetry_minutes_key ON telemetry_minutes (dim, dim_key, minute)`,
  },
  {
    id: 'telemetry-002-alerts',
    sql: `CREATE TABLE alert_rules (
  name TEXT PRIMARY KEY,
  doc TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE alert_firings (
  id TEXT PRIMARY KEY,
  rule TEXT NOT NULL,
  app TEXT,
  scope_key TEXT NOT NULL,
  fired_at BIGINT NOT NULL,
  first_event_at BIGINT NOT NULL,
  contained_at BIGINT,
  contain_ms BIGINT,
  audit_index BIGINT,
  body TEXT NOT NULL
);
CREATE INDEX alert_firings_app ON alert_firings (app, fired_at)`,
  },
];
