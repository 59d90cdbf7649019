// Deny by default: an action on a resource the app's approved manifest does not declare is refused before any policy runs.
import type { AppManifest } from '../apps/manifest-schema.js';
import type { AppScope, GovernanceRequest } from '../core/governance.js';

type Spec = AppManifest['spec'];

/** The manifest's entry for a model, when the app declares it (spec.models). */
export function declaredModel(spec: Spec, model: string): Spec['models'][number] | undefined {
  return spec.models.find((m) => m.id === model);
}

const toolPattern = (p: string) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

/** The first offered tool a model declaration (spec.models[].tools, names or `*` patterns) does not cover. */
export function undeclaredTool(decl: Spec['models'][number], offered: readonly string[]): string | undefined {
  const allowed = (decl.tools ?? []).map(toolPattern);
  return offered.find((name) => !allowed.some((re) => re.test(name)));
}

/** The manifest's entry for a dataset with this access, when the app declares it (spec.data). */
export function declaredDataset(spec: Spec, dataset: string, access: string): Spec['data'][number] | undefined {
  return spec.data.find((d) => d.dataset === dataset && d.access === access);
}

/** Which declared list of the manifest an action's resource must appear in. */
const SCOPE_OF: Record<
  string,
  { list: 'models' | 'datasets' | 'connectors' | 'egress'; field: string; types: string[] }
> = {
  'model.invoke': { list: 'models', field: 'spec.models', types: ['model'] },
  'data.query': { list: 'datasets', field: 'spec.data', types: ['dataset'] },
  'connector.call': { list: 'connectors', field: 'spec.connectors', types: ['connector'] },
  'net.egress': { list: 'egress', field: 'spec.egress', types: ['host'] },
};

function splitHostPort(s: string): { host: string; port?: string } {
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(s.trim().toLowerCase());
  return { host: m?.[1] ?? s, port: m?.[2] };
}

/** A host name against `api.example.com` or `*.example.com` (any subdomain, never the apex); no ports here. */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p.startsWith('*.')) return h.endsWith(p.slice(1)) && h.length > p.length - 1;
  return h === p;
}

/**
 * The one egress rule (govern(), the sandbox's fetch guard and admission all use it): `target` is `host` or
 * `host:port`; patterns are `api.example.com`, `*.example.com` and `host:port`; a pattern without a port allows
 * 80 and 443 only.
 */
export function egressAllowed(patterns: readonly string[], target: string): boolean {
  const t = splitHostPort(target);
  return patterns.some((raw) => {
    const p = splitHostPort(raw);
    const portOk = p.port ? t.port === p.port : t.port === undefined || t.port === '443' || t.port === '80';
    return portOk && hostMatches(p.host, t.host);
  });
}

function readableDatasets(app: AppScope): string[] {
  const data = (app.spec as { data?: { dataset: string; access?: string }[] }).data;
  return data ? data.filter((d) => d.access === 'read').map((d) => d.dataset) : app.datasets;
}

/** Returns why the request is outside the app's declared scope, or undefined when it is inside (or not an app call). */
export function scopeViolation(req: GovernanceRequest): string | undefined {
  const app: AppScope | undefined = req.app;
  if (!app) {
    return req.subject.app
      ? `app ${req.subject.app} has no approved version in force; nothing it does is allowed`
      : undefined;
  }
  if (req.action === 'app.submit') return undefined;
  if (req.action === 'app.run' && req.resource.type === 'app' && req.resource.id !== app.name) {
    return `app ${app.name} may only run itself, not app ${req.resource.id}`;
  }
  const scope = SCOPE_OF[req.action];
  const kind = scope ? undefined : Object.values(SCOPE_OF).find((s) => s.types.includes(req.resource.type));
  const s = scope ?? kind;
  if (!s) return undefined;
  const id = req.resource.id;
  // A query reads: only datasets declared with read access count (a write-only declaration does not).
  const declared = req.action === 'data.query' ? readableDatasets(app) : app[s.list];
  const ok = s.list === 'egress' ? egressAllowed(declared, id) : declared.includes(id);
  if (ok) return req.action === 'model.invoke' ? toolViolation(app, id, req.request?.tools) : undefined;
  return `${req.resource.type} ${id} is not declared in app ${app.name} v${app.version} (${s.field}); declare it in the manifest and resubmit for approval`;
}

/** A model call offering a tool its manifest entry does not declare (spec.models[].tools). */
function toolViolation(app: AppScope, model: string, tools: unknown): string | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  const decl = declaredModel(app.spec as Spec, model);
  const stray = decl ? undeclaredTool(decl, tools.map(String)) : undefined;
  return stray === undefined
    ? undefined
    : `tool ${stray} is not declared for model ${model} in app ${app.name} v${app.version} (spec.models[].tools); declare it in the manifest and resubmit for approval`;
}
