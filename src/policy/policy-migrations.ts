// Tables of the policy feature: bundle revisions, activations (the latest one is active) and the decision log.
import type { Migration } from '../store/sql-db.js';

export const policyMigrations: Migration[] = [
  {
    id: 'policy-001-revisions-activations-decisions',
    sql: `
CREATE TABLE policy_revisions (
  revision TEXT PRIMARY KEY,
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  policy_count INTEGER NOT NULL,
  policy_names TEXT NOT NULL,
  files TEXT NOT NULL
);
CREATE TABLE policy_activations (
  id {{AUTO_PK}},
  revision TEXT NOT NULL REFERENCES policy_revisions(revision),
  previous TEXT,
  activated_at BIGINT NOT NULL,
  activated_by TEXT NOT NULL
);
CREATE TABLE policy_decisions (
  id TEXT PRIMARY KEY,
  time BIGINT NOT NULL,
  app TEXT,
  app_version INTEGER,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  effect TEXT NOT NULL,
  reason TEXT NOT NULL,
  matched TEXT NOT NULL,
  obligations TEXT NOT NULL,
  warnings TEXT NOT NULL,
  errors TEXT NOT NULL,
  bundle_revision TEXT NOT NULL,
  trace_id TEXT,
  input TEXT NOT NULL
);
CREATE INDEX policy_decisions_time ON policy_decisions (time);
CREATE INDEX policy_decisions_app_time ON policy_decisions (app, time);
CREATE INDEX policy_decisions_effect_time ON policy_decisions (effect, time);
CREATE INDEX policy_decisions_action_time ON policy_decisions (action, time)
`,
  },
];
