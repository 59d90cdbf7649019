// The declared CEL input shape (variables and field types) and the per-decision activation built from a GovernanceRequest.
import { Environment } from '@marcbachmann/cel-js';
import type { GovernanceRequest } from '../core/governance.js';

type FieldType = 'string' | 'int' | 'double' | 'bool' | 'list<string>' | 'map<string, dyn>';
type Shape = Record<string, FieldType>;

/** Well-known fields are typed so a typo fails at load time; everything else stays reachable via `.attributes`. */
export const INPUT_SHAPE: Record<'subject' | 'resource' | 'request' | 'app', Shape> = {
  subject: {
    user: 'string',
    roles: 'list<string>',
    groups: 'list<string>',
    app: 'string',
    appVersion: 'int',
    session: 'string',
    run: 'string',
  },
  resource: {
    type: 'string',
    id: 'string',
    classification: 'string',
    region: 'string',
    owner: 'string',
    kind: 'string',
    provider: 'string',
    risk: 'string',
    version: 'string',
    sensitive: 'bool',
    approved: 'bool',
    tags: 'list<string>',
    environments: 'list<string>',
    columns: 'list<string>',
    endpoints: 'list<string>',
    // For resource type app (app.submit / app.run): what the declared datasets, models and connectors are.
    classifications: 'list<string>',
    risks: 'list<string>',
    sensitiveConnectors: 'list<string>',
    unapprovedConnectors: 'list<string>',
    attributes: 'map<string, dyn>',
  },
  request: {
    model: 'string',
    url: 'string',
    host: 'string',
    method: 'string',
    sql: 'string',
    purpose: 'string',
    dataset: 'string',
    inputTokens: 'int',
    outputTokens: 'int',
    maxOutputTokens: 'int',
    rows: 'int',
    rowLimit: 'int',
    costUsd: 'double',
    estimatedCostUsd: 'double',
    temperature: 'double',
    stream: 'bool',
    columns: 'list<string>',
    /** Model calls: names of the tools offered to the model, their count, image parts, JSON output asked for. */
    tools: 'list<string>',
    toolCount: 'int',
    hasImages: 'bool',
    jsonMode: 'bool',
    attributes: 'map<string, dyn>',
  },
  app: {
    name: 'string',
    version: 'int',
    owner: 'string',
    environment: 'string',
    region: 'string',
    state: 'string',
    models: 'list<string>',
    datasets: 'list<string>',
    connectors: 'list<string>',
    egress: 'list<string>',
    spec: 'map<string, dyn>',
  },
};

export interface CostLimits {
  maxAstNodes: number;
  maxDepth: number;
  maxComprehensionNesting: number;
}

export const DEFAULT_COST_LIMITS: CostLimits = { maxAstNodes: 400, maxDepth: 24, maxComprehensionNesting: 2 };

/** One environment for all conditions; creating it is the expensive part, so it is built once per limits value. */
export function createCelEnvironment(limits: CostLimits): Environment {
  // The parser's own limits are a backstop (2x ours) against pathological input; ours give the clear message.
  const env = new Environment({ limits: { maxAstNodes: limits.maxAstNodes * 2, maxDepth: limits.maxDepth * 2 } });
  for (const [name, shape] of Object.entries(INPUT_SHAPE)) env.registerVariable({ name, schema: shape });
  env.registerVariable('params', 'map<string, dyn>');
  env.registerVariable('action', 'string');
  env.registerVariable('environment', 'string');
  return env;
}

/** Picks the declared fields of `src`, coercing JSON numbers to CEL int/double; absent fields stay absent. */
function pick(
  shape: Shape,
  src: Record<string, unknown>,
  attributesKey: string | undefined,
  attributes: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Walks the (few) keys present rather than the (many) declared ones: this runs on every decision.
  for (const key in src) {
    // hasOwn: a `__proto__` key in caller JSON must not reach Object.prototype (or set out's prototype).
    if (!Object.hasOwn(shape, key) || key === attributesKey) continue;
    const t = shape[key];
    const v = src[key];
    if (v === undefined || v === null) continue;
    if (t === 'int' && typeof v === 'number' && Number.isInteger(v)) out[key] = BigInt(v);
    else if (t === 'double' && typeof v === 'bigint') out[key] = Number(v);
    else out[key] = v;
  }
  if (attributesKey) out[attributesKey] = attributes;
  return out;
}

const EMPTY: Record<string, unknown> = {};

/** The CEL variables for one decision. Built once per decision and shared by every policy evaluated. */
export function buildActivation(req: GovernanceRequest): Record<string, unknown> {
  const attrs = req.resource.attributes ?? EMPTY;
  const resource = pick(INPUT_SHAPE.resource, attrs, 'attributes', attrs);
  resource.type = req.resource.type;
  resource.id = req.resource.id;
  const request = req.request ?? EMPTY;
  return {
    action: req.action,
    environment: req.environment ?? req.app?.environment ?? '',
    subject: pick(INPUT_SHAPE.subject, req.subject as unknown as Record<string, unknown>, undefined, EMPTY),
    resource,
    request: pick(INPUT_SHAPE.request, request, 'attributes', request),
    app: req.app ? pick(INPUT_SHAPE.app, req.app as unknown as Record<string, unknown>, undefined, EMPTY) : {},
  };
}
