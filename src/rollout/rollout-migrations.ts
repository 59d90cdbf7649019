// Tables of the rollout feature: kill switches, temporary caps, flags, forensic snapshots and rollbacks.
import type { Migration } from '../store/sql-db.js';

export const rolloutMigrations: Migration[] = [
  {
    id: 'rollout-001-kills-caps-flags',
    sql: `CREATE TABLE rollout_kills (
  id TEXT PRIMARY KEY,
  scope TEXT NOT NULL,
  target TEXT NOT NULL,
  reason TEXT NOT NULL,
  actor TEXT NOT NULL,
  source TEXT NOT NULL,
  set_at BIGINT NOT NULL,
  snapshot_id TEXT,
  lift_approvals TEXT NOT NULL,
  lifted_at BIGINT,
  lifted_by TEXT
);
CREATE INDEX rollout_kills_active ON rollout_kills (scope, target, lifted_at);
CREATE TABLE rollout_caps (
  id TEXT PRIMARY KEY,
  scope TEXT NOT NULL,
  target TEXT NOT NULL,
  limits TEXT NOT NULL,
  fallback INTEGER NOT NULL,
  reason TEXT NOT NULL,
  actor TEXT NOT NULL,
  set_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  lifted_at BIGINT
);
CREATE TABLE rollout_flags (
  app TEXT NOT NULL,
  environment TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  percentage DOUBLE PRECISION NOT NULL,
  groups_json TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (app, environment)
)`,
  },
  {
    id: 'rollout-002-snapshots-rollbacks',
    sql: `CREATE TABLE rollout_snapshots (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  taken_at BIGINT NOT NULL,
  reason TEXT NOT NULL,
  hash TEXT NOT NULL,
  audit_index BIGINT,
  body TEXT NOT NULL
);
CREATE INDEX rollout_snapshots_app ON rollout_snapshots (app, taken_at);
CREATE TABLE rollout_rollbacks (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  from_version BIGINT NOT NULL,
  to_version BIGINT NOT NULL,
  actor TEXT NOT NULL,
  cause TEXT NOT NULL,
  reason TEXT NOT NULL,
  at BIGINT NOT NULL,
  snapshot_id TEXT
)`,
  },
];
