// Tables of the canary feature: canaries and their stage verdicts, live-stage run samples, and the replay store.
import type { Migration } from '../store/sql-db.js';

export const canaryMigrations: Migration[] = [
  {
    id: 'canary-001-canaries-replay',
    sql: `CREATE TABLE canary_releases (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  candidate INTEGER NOT NULL,
  baseline INTEGER NOT NULL,
  state TEXT NOT NULL,
  stage INTEGER NOT NULL,
  stage_started_at BIGINT NOT NULL,
  policy TEXT NOT NULL,
  actor TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,
  end_reason TEXT,
  snapshot_id TEXT
);
CREATE INDEX canary_releases_app ON canary_releases (app, started_at);
CREATE TABLE canary_verdicts (
  id TEXT PRIMARY KEY,
  canary_id TEXT NOT NULL,
  stage INTEGER NOT NULL,
  verdict TEXT NOT NULL,
  analysis TEXT NOT NULL,
  decided_at BIGINT NOT NULL
);
CREATE INDEX canary_verdicts_canary ON canary_verdicts (canary_id, decided_at);
CREATE TABLE canary_samples (
  id {{AUTO_PK}},
  canary_id TEXT NOT NULL,
  stage INTEGER NOT NULL,
  arm TEXT NOT NULL,
  sample TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX canary_samples_stage ON canary_samples (canary_id, stage);
CREATE TABLE canary_replay_inputs (
  id {{AUTO_PK}},
  app TEXT NOT NULL,
  version INTEGER NOT NULL,
  input_hash TEXT NOT NULL,
  masked_input TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX canary_replay_inputs_app ON canary_replay_inputs (app, version, created_at);`,
  },
];
