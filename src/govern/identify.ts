// Identify helpers for govern(): an app version's declared scope, and a resource's attributes from the catalog.
import type { AppManifest, AppVersion } from '../apps/manifest-schema.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { AppScope, GovernInput } from '../core/governance.js';

/** Classifications whose datasets count as sensitive. */
const SENSITIVE_CLASSES = new Set(['confidential', 'pii', 'regulated']);

/** The deny-by-default scope a manifest declares (also what admission passes as `candidate` for app.submit). */
export function appScopeFromManifest(manifest: AppManifest, version: number, state: string): AppScope {
  const s = manifest.spec;
  return {
    name: manifest.metadata.name,
    version,
    owner: manifest.metadata.owner,
    environment: s.environment,
    region: s.region,
    state,
    models: s.models.map((m) => m.id),
    datasets: s.data.map((d) => d.dataset),
    connectors: s.connectors.map((c) => c.id),
    egress: [...s.egress],
    spec: s as unknown as Record<string, unknown>,
  };
}

export function appScopeOf(v: AppVersion): AppScope {
  return appScopeFromManifest(v.manifest, v.version, v.state);
}

/**
 * Why a catalog user may not use the app, or undefined when they may: an app that declares spec.users.groups serves
 * members of those groups and its owner only. Callers that are not catalog users (app keys, system) are not checked.
 */
export function appUserRefusal(app: AppScope, user: string, groups: readonly string[]): string | undefined {
  const allowed = (app.spec.users as { groups?: string[] } | undefined)?.groups ?? [];
  if (allowed.length === 0 || user === app.owner || groups.some((g) => allowed.includes(g))) return undefined;
  return (
    `user ${user} (groups: ${groups.join(', ') || 'none'}) is not in the groups app ${app.name} serves ` +
    `(spec.users.groups: ${allowed.join(', ')}); ask its owner ${app.owner} to add your group`
  );
}

const uniq = (xs: string[]) => [...new Set(xs)].sort();

/** Catalog attributes of the resource; an unknown model, dataset or connector throws (govern() turns it into a deny). */
export function resourceAttributes(
  catalog: CatalogReader,
  resource: GovernInput['resource'],
  app: AppScope | undefined,
): Record<string, unknown> {
  const missing = (what: string) => new Error(`${what} ${resource.id} is not in the catalog`);
  switch (resource.type) {
    case 'model': {
      const m = catalog.model(resource.id);
      if (!m) throw missing('model');
      const s = m.spec;
      return {
        provider: s.provider,
        region: s.region,
        version: s.version,
        risk: s.risk,
        environments: s.environments,
        owner: m.metadata.owner,
        contextWindow: s.contextWindow,
        pricing: s.pricing,
      };
    }
    case 'dataset': {
      const d = catalog.dataset(resource.id);
      if (!d) throw missing('dataset');
      const s = d.spec;
      return {
        classification: s.classification,
        region: s.region,
        owner: d.metadata.owner,
        sensitive: SENSITIVE_CLASSES.has(s.classification),
        columns: s.columns.map((c) => c.name),
        tags: uniq(s.columns.flatMap((c) => c.tags)),
        source: s.source && ('kind' in s.source ? s.source.kind : 'dataSource'),
        dataSource: s.source && 'dataSource' in s.source ? s.source.dataSource : undefined,
        columnTags: Object.fromEntries(s.columns.map((c) => [c.name, c.tags])),
      };
    }
    case 'connector': {
      const c = catalog.connector(resource.id);
      if (!c) throw missing('connector');
      const s = c.spec;
      return {
        kind: s.kind,
        endpoints: s.endpoints,
        sensitive: s.sensitive,
        approved: s.approved,
        region: s.region,
        owner: c.metadata.owner,
      };
    }
    case 'app': {
      if (!app) return {};
      // What the declared resources are, so admission policies can say "declares PII data" or "uses an unapproved connector".
      const datasets = app.datasets.map((n) => catalog.dataset(n)).filter((d) => d !== undefined);
      const models = app.models.map((n) => catalog.model(n)).filter((m) => m !== undefined);
      const connectors = app.connectors.map((n) => catalog.connector(n)).filter((c) => c !== undefined);
      return {
        owner: app.owner,
        region: app.region,
        environments: [app.environment],
        classifications: uniq(datasets.map((d) => d.spec.classification)),
        tags: uniq(datasets.flatMap((d) => d.spec.columns.flatMap((c) => c.tags))),
        risks: uniq(models.map((m) => m.spec.risk)),
        sensitiveConnectors: uniq(connectors.filter((c) => c.spec.sensitive).map((c) => c.metadata.name)),
        unapprovedConnectors: uniq(
          connectors.filter((c) => c.spec.sensitive && !c.spec.approved).map((c) => c.metadata.name),
        ),
        sensitive: datasets.some((d) => SENSITIVE_CLASSES.has(d.spec.classification)),
      };
    }
    default:
      return {};
  }
}
