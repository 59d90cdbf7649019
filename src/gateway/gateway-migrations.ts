// The gateway's tables: app keys (hashed), one cost row per model call for attribution, sealed provider keys.
import type { Migration } from '../store/sql-db.js';

export const gatewayMigrations: Migration[] = [
  {
    id: 'gateway-001-app-keys-and-costs',
    sql: `
CREATE TABLE gateway_app_keys (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  env TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX gateway_app_keys_app ON gateway_app_keys (app);
CREATE TABLE gateway_costs (
  id {{AUTO_PK}},
  time BIGINT NOT NULL,
  day TEXT NOT NULL,
  decision_id TEXT,
  app TEXT NOT NULL,
  app_version INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  session TEXT,
  model TEXT NOT NULL,
  tokens_in INTEGER NOT NULL,
  tokens_out INTEGER NOT NULL,
  cost_nanos BIGINT NOT NULL,
  outcome TEXT NOT NULL
);
CREATE INDEX gateway_costs_time ON gateway_costs (time);
CREATE INDEX gateway_costs_app_time ON gateway_costs (app, time);
`,
  },
  {
    id: 'gateway-002-model-keys',
    sql: `
CREATE TABLE gateway_model_keys (
  model VARCHAR(63) PRIMARY KEY,
  sealed TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  set_by TEXT NOT NULL,
  set_at BIGINT NOT NULL
);
`,
  },
];
