// Tables of the approvals feature: one approval request per admitted version, and reviewers' votes.
import type { Migration } from '../store/sql-db.js';

export const approvalMigrations: Migration[] = [
  {
    id: 'approvals-001-requests',
    sql: `
CREATE TABLE approvals (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  version INTEGER NOT NULL,
  app_hash TEXT NOT NULL,
  submitted_by TEXT NOT NULL,
  app_owner TEXT NOT NULL,
  state TEXT NOT NULL,
  auto INTEGER NOT NULL,
  tier TEXT NOT NULL,
  score INTEGER NOT NULL,
  risk TEXT NOT NULL,
  findings TEXT NOT NULL,
  decision TEXT NOT NULL,
  requirements TEXT NOT NULL,
  quorum TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  due_at BIGINT,
  reminders_sent INTEGER NOT NULL DEFAULT 0,
  escalated_at BIGINT,
  decided_at BIGINT,
  decided_by TEXT,
  comment TEXT,
  rev INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX approvals_app_version ON approvals (app, version);
CREATE INDEX approvals_state_due ON approvals (state, due_at);
CREATE TABLE approval_votes (
  approval_id TEXT NOT NULL,
  reviewer TEXT NOT NULL,
  vote TEXT NOT NULL,
  counted TEXT,
  comment TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (approval_id, reviewer)
);
`,
  },
  {
    // The console's inventory reads each listed app's latest request (GET /api/v1/approvals?app=...).
    id: 'approvals-002-by-app',
    sql: 'CREATE INDEX approvals_app_created ON approvals (app, created_at)',
  },
];
