// Tables of the notify feature: the webhook outbox (deliveries kept until they succeed, across restarts).
import type { Migration } from '../store/sql-db.js';

export const notifyMigrations: Migration[] = [
  {
    id: 'notify-001-outbox',
    sql: `CREATE TABLE webhook_outbox (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  url TEXT NOT NULL,
  body TEXT NOT NULL,
  content_type TEXT NOT NULL,
  headers_json TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_at BIGINT NOT NULL,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  done_at BIGINT
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (kind, status, next_at)`,
  },
];
