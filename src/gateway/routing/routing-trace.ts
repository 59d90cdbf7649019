// What routing across a model's deployments did for one call, as data: recorded on the call's audit entry
// (model.invocation, `data.routing`) and its telemetry, next to the decision id.

/** Why a deployment was passed over: outside the app's data residency, at its rpm or tpm, or its circuit open. */
export type SkipReason = 'residency' | 'rpm' | 'tpm' | 'circuit_open';

export interface RouteSkip {
  id: string;
  region: string;
  reason: SkipReason;
}

export interface RouteAttempt {
  id: string;
  region: string;
  outcome: 'served' | 'failed';
  /** The upstream's status on failure (0 for network faults and deadlines). */
  status?: number;
}

export interface RoutingTrace {
  /** The deployment that served the call; absent when none did. */
  served?: string;
  /** True for a model without `deployments` (one implicit deployment, `default`: upstream and region of the model). */
  implicit: boolean;
  /** Deployments called, in order (a failed one is followed by the next, within the same deadline). */
  attempts: RouteAttempt[];
  /** Deployments passed over, each once with the first reason found. */
  skipped: RouteSkip[];
  /** The residency rule applied: the app's region, and the non-public datasets that bind it (none: any region). */
  residency: { appRegion: string; restrictedBy: string[] };
}
