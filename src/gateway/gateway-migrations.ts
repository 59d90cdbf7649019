// The gateway's tables: keys (hashed; app and service keys with their own limits), one cost row per model call,
// sealed provider keys.
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
  {
    // Keys with their own limits. Existing rows become app keys with no expiry (expires_at NULL) and no limits, so
    // they keep working; new keys default to 90 days. Service keys store app = '' and env = '' (any) when unbound.
    id: 'gateway-003-key-limits',
    sql: `
ALTER TABLE gateway_app_keys ADD COLUMN kind TEXT NOT NULL DEFAULT 'app';
ALTER TABLE gateway_app_keys ADD COLUMN owner TEXT;
ALTER TABLE gateway_app_keys ADD COLUMN name TEXT;
ALTER TABLE gateway_app_keys ADD COLUMN expires_at BIGINT;
ALTER TABLE gateway_app_keys ADD COLUMN rotated_at BIGINT;
ALTER TABLE gateway_app_keys ADD COLUMN limits_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE gateway_app_keys ADD COLUMN metadata_json TEXT NOT NULL DEFAULT '{}';
CREATE INDEX gateway_app_keys_owner ON gateway_app_keys (owner);
CREATE TABLE gateway_key_grace (
  key_hash TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  valid_until BIGINT NOT NULL
);
ALTER TABLE gateway_costs ADD COLUMN key_id TEXT;
ALTER TABLE gateway_costs ADD COLUMN team TEXT;
ALTER TABLE gateway_costs ADD COLUMN cost_center TEXT;
CREATE INDEX gateway_costs_key_day ON gateway_costs (key_id, day);
`,
  },
];
