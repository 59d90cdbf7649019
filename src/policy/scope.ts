// Deny by default: an action on a resource the app's approved manifest does not declare is refused before any policy runs.
import type { AppScope, GovernanceRequest } from '../core/governance.js';

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

/** `api.example.com`, `*.example.com` (subdomains only) and `host:port`; a pattern without port allows 80 and 443 only. */
export function egressAllowed(patterns: readonly string[], target: string): boolean {
  const t = splitHostPort(target);
  return patterns.some((raw) => {
    const p = splitHostPort(raw);
    const portOk = p.port ? t.port === p.port : t.port === undefined || t.port === '443' || t.port === '80';
    if (!portOk) return false;
    if (p.host.startsWith('*.')) return t.host.endsWith(p.host.slice(1)) && t.host.length > p.host.length - 1;
    return t.host === p.host;
  });
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
  const declared = app[s.list];
  const id = req.resource.id;
  const ok = s.list === 'egress' ? egressAllowed(declared, id) : declared.includes(id);
  if (ok) return undefined;
  return `${req.resource.type} ${id} is not declared in app ${app.name} v${app.version} (${s.field}); declare it in the manifest and resubmit for approval`;
}
