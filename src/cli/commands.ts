// The list of feature command registrations, in help order. Add one line per feature.
import type { CommandRegistration } from './command-group.js';
import { registerPolicyCommands } from '../policy/policy-commands.js';
import { registerAuditCommands } from '../audit/audit-commands.js';
import { registerServeCommand } from './serve-command.js';
import { registerCatalogCommands } from '../catalog/catalog-commands.js';
import { registerTokenCommands } from '../identity/token-commands.js';
import { registerLoginCommands } from '../identity/login-commands.js';
import { registerAppCommands } from '../apps/app-commands.js';
import { registerSandboxCommands } from '../sandbox/sandbox-commands.js';
import { registerAdmissionCommands } from '../admission/admission-commands.js';
import { registerApprovalCommands } from '../approvals/approval-commands.js';
import { registerGatewayCommands } from '../gateway/gateway-commands.js';
import { registerTelemetryCommands } from '../telemetry/telemetry-commands.js';
import { registerRolloutCommands } from '../rollout/rollout-commands.js';
import { registerDlpCommands } from '../dlp/dlp-commands.js';
import { registerReleaseCommands } from '../rollout/release-commands.js';
import { registerDemoCommands } from '../demo/demo-commands.js';
import { registerDoctorCommands } from '../doctor/doctor-commands.js';
import { registerCanaryCommands } from '../canary/canary-commands.js';

export const commandRegistrations: CommandRegistration[] = [
  registerServeCommand,
  registerCatalogCommands,
  registerTokenCommands,
  registerLoginCommands,
  registerAppCommands,
  registerSandboxCommands,
  registerAdmissionCommands,
  registerApprovalCommands,
  registerAuditCommands,
  registerPolicyCommands,
  registerGatewayCommands,
  registerTelemetryCommands,
  registerReleaseCommands,
  registerRolloutCommands,
  registerCanaryCommands,
  registerDlpCommands,
  registerDemoCommands,
  registerDoctorCommands,
];
