// Every feature's migrations, in the order they apply. Add a feature's list at the end; never reorder.
import type { Migration } from './sql-db.js';
import { auditMigrations } from '../audit/audit-migrations.js';
import { policyMigrations } from '../policy/policy-migrations.js';
import { catalogMigrations } from '../catalog/catalog-migrations.js';
import { identityMigrations } from '../identity/identity-migrations.js';
import { appMigrations } from '../apps/app-migrations.js';
import { gatewayMigrations } from '../gateway/gateway-migrations.js';
import { approvalMigrations } from '../approvals/approval-migrations.js';
import { telemetryMigrations } from '../telemetry/telemetry-migrations.js';
import { rolloutMigrations } from '../rollout/rollout-migrations.js';

export const allMigrations: Migration[] = [
  ...catalogMigrations,
  ...identityMigrations,
  ...appMigrations,
  ...gatewayMigrations,
  ...policyMigrations,
  ...auditMigrations,
  ...approvalMigrations,
  ...telemetryMigrations,
  ...rolloutMigrations,
];
