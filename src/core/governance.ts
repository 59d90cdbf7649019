// The nouns of the one decision path: GovernanceRequest in, Decision out (see ARCHITECTURE.md).

/** Actions Gatehouse governs. Free-form strings are allowed for extensions; these are the built-ins. */
export type Action =
  | 'app.submit'
  | 'app.run'
  | 'model.invoke'
  | 'data.query'
  | 'net.egress'
  | 'connector.call'
  | 'secret.issue'
  | (string & {});

export type ResourceType = 'app' | 'model' | 'dataset' | 'connector' | 'host' | 'secret' | (string & {});

export type Environment = 'dev' | 'staging' | 'prod';

export interface Subject {
  /** User name from the catalog (or `system`). */
  user: string;
  roles: string[];
  groups: string[];
  /** App name, when the call comes from an app. */
  app?: string;
  /** App version number. */
  appVersion?: number;
  session?: string;
  run?: string;
}

export interface Resource {
  type: ResourceType;
  /** Catalog name of the resource (model id, dataset name, connector id, host name ...). */
  id: string;
  /** Catalog attributes: classification, region, owner, sensitive, approved, risk, tags ... */
  attributes: Record<string, unknown>;
}

/** What the app's approved manifest declares: the deny-by-default scope. */
export interface AppScope {
  name: string;
  version: number;
  owner: string;
  environment: Environment;
  region: string;
  state: string;
  models: string[];
  datasets: string[];
  connectors: string[];
  egress: string[];
  /** The manifest spec itself, for policies that look deeper. */
  spec: Record<string, unknown>;
}

export interface GovernanceRequest {
  action: Action;
  subject: Subject;
  resource: Resource;
  /** Action-specific context: tokens, costUsd, temperature, url, columns, sql ... */
  request: Record<string, unknown>;
  /** Absent for calls that are not made by an app (operators, admission of a new app uses the candidate). */
  app?: AppScope;
  /** Environment the action happens in (defaults to the app's). */
  environment?: Environment;
  /** Correlates everything in one trace (gateway call, run). */
  traceId?: string;
}

export type Effect = 'allow' | 'deny' | 'require_approval';

/** Limits merged to their most restrictive value across matched policies. */
export interface Obligations {
  maxInputTokens?: number;
  maxOutputTokens?: number;
  maxTemperature?: number;
  maxCostUsd?: number;
  dailyCostUsd?: number;
  rowLimit?: number;
  /**
   * Further limits: numeric (requestsPerMinute, tokensPerMinute, perUserDailyCostUsd ...), DLP modes (promptDlp,
   * outputDlp: a plain string, read with dlpModeOf in src/core/dlp-mode-limit.ts), lists and flags.
   */
  [limit: string]: number | string | string[] | boolean | undefined;
}

export interface MatchedPolicy {
  policy: string;
  effect: 'allow' | 'deny' | 'require_approval' | 'warn' | 'limit';
  mode: 'enforce' | 'advisory';
  /** The rendered message or the reason the policy contributed. */
  reason: string;
  /** Set when the condition failed to evaluate (fail closed). */
  error?: string;
}

export interface Decision {
  id: string;
  /** Epoch ms. */
  time: number;
  effect: Effect;
  obligations: Obligations;
  warnings: string[];
  matched: MatchedPolicy[];
  bundleRevision: string;
  /** One line a user can act on: why the effect is what it is. */
  reason: string;
  /** Errors met while deciding (condition errors, missing attributes); any on an enforcing path means deny. */
  errors: string[];
  /** Why it is not an allow, as data: enforcement points branch on this, never on `reason`'s text. */
  refusal?: Refusal;
}

/**
 * The step that refused: identify (who/which app), gate (kill switches, flags, caps), the policies, or `enforce`: the
 * enforcement point itself after (or without) an allow (a budget exhausted, a cap the request breaks, DLP block,
 * bad input), recorded through Governor.recordRefusal.
 */
export type RefusalStep = 'identify' | 'gate' | 'policy' | 'enforce';

/**
 * Stable refusal codes. identify: `unidentified` (unknown user, app not in force, outside the app's users, resource
 * unknown); gate: `killed`, `flag_off`, `rerouted` (a cap sends this model's traffic to its fallback); policy:
 * `denied`, `limit_exceeded` (the request breaks a limit; the caller can fix it), `approval_required`,
 * `engine_error` (fail closed).
 */
export type RefusalCode =
  | 'unidentified'
  | 'killed'
  | 'flag_off'
  | 'rerouted'
  | 'denied'
  | 'limit_exceeded'
  | 'approval_required'
  | 'engine_error'
  | 'store_unavailable'
  | 'budget_exhausted'
  | 'invalid_request'
  | 'dlp_blocked'
  | 'unavailable';

export interface Refusal {
  step: RefusalStep;
  code: RefusalCode;
  /** The request value that broke a limit (code limit_exceeded). */
  limit?: { field: string; obligation: string; max: number; actual: number };
  /** The gate scope that refused (e.g. `model:gpt-4o`, `app:faq-bot`, `flag:faq-bot:prod`). */
  scope?: string;
  /** The refusal concerns this model only (a kill of the model or a cap's route): a declared fallback may serve. */
  modelOnly?: boolean;
  /** The model a cap routes this traffic to instead. */
  fallbackModel?: string;
  /** Step `enforce`: the decision that had allowed the call, and the HTTP status the refusal answered with. */
  after?: string;
  status?: number;
}

/** A refusal an enforcement point made itself, for Governor.recordRefusal. */
export interface EnforcementRefusal {
  code: RefusalCode;
  /** What refused, for the decision's matched list (e.g. `budget:app_daily_cost`, `gateway`). */
  by: string;
  reason: string;
  status: number;
  /** The decision that allowed the call before the enforcement point refused it. */
  after?: string;
}

/** What the gate (govern() step 2) answers when it refuses. */
export interface GateRefusal {
  reason: string;
  scope: string;
  code: 'killed' | 'flag_off' | 'rerouted' | 'store_unavailable';
  modelOnly?: boolean;
  fallbackModel?: string;
}

/** What an enforcement point hands govern(): names, not attributes. govern() identifies the rest. */
export interface GovernInput {
  action: Action;
  subject: {
    user: string;
    app?: string;
    appVersion?: number;
    session?: string;
    run?: string;
    /** Roles/groups of an already-authenticated principal; used only when the user is not in the catalog. */
    roles?: string[];
    groups?: string[];
  };
  resource: { type: ResourceType; id: string; attributes?: Record<string, unknown> };
  request?: Record<string, unknown>;
  traceId?: string;
  /** For app.submit: the candidate manifest's scope (not approved yet, so not looked up). */
  candidate?: AppScope;
}

/** The one decision path. Never throws on an enforcing path: errors become deny decisions that say why. */
export interface Governor {
  govern(input: GovernInput): Promise<Decision>;
  /**
   * Records a refusal the enforcement point made after govern() allowed (or before it could ask): a deny decision
   * with a new id, refusal step `enforce`, seen by every decision sink like any other. Never throws.
   */
  recordRefusal?(input: GovernInput, refusal: EnforcementRefusal): Promise<Decision>;
}

/** Step 2 of govern(): kill switches and flags. Returns a refusal reason or null. O(1), in memory. */
export interface GateCheck {
  check(req: GovernanceRequest): GateRefusal | null;
}

/** Where decisions go after they are made (decision log, audit log, telemetry). Must not throw. */
export interface DecisionSink {
  record(decision: Decision, req: GovernanceRequest): void;
}

/** Who/what an in-flight piece of work belongs to, for cutting it when a kill switch lands on any of these. */
export interface WorkScope {
  app?: string;
  appVersion?: number;
  user?: string;
  model?: string;
  connector?: string;
}

/** A signal that aborts (its reason: the refusal, naming the kill) once any scope of the work is killed. */
export type CutSignalFor = (scope: WorkScope) => AbortSignal;

/** Step 3b of govern(): temporary limits (caps set by operators or alert rules) merged into allowed decisions. */
export interface LimitOverlay {
  limitsFor(req: GovernanceRequest): { obligations: Obligations; reason: string } | null;
}
