// Which URLs an app's manifest lets it reach: spec.egress host patterns, or endpoints of its declared connectors.
import type { CatalogReader, ConnectorDoc } from '../catalog/catalog-schema.js';
import { egressAllowed, hostMatches } from '../policy/scope.js';

function defaultPort(u: URL): string {
  return u.port || (u.protocol === 'https:' ? '443' : '80');
}

/** spec.egress entries are `host`, `*.domain` or `host:port` (no port = 80/443 only): policy/scope.ts's rule. */
export function hostAllowed(egress: readonly string[], url: URL): boolean {
  return egressAllowed(egress, `${url.hostname}:${defaultPort(url)}`);
}

/** Connector endpoints are URL patterns such as `https://api.example.com/v1/*` (scheme, host, port, path prefix). */
export function endpointMatches(endpoint: string, url: URL): boolean {
  let e: URL;
  try {
    e = new URL(endpoint.replace(/\*$/, ''));
  } catch {
    return false;
  }
  if (e.protocol !== url.protocol) return false;
  if (!hostMatches(e.hostname.replace(/^%2a\./i, '*.'), url.hostname) || defaultPort(e) !== defaultPort(url))
    return false;
  const prefix = e.pathname === '/' ? '/' : e.pathname;
  return url.pathname.startsWith(prefix);
}

/** The first declared HTTP connector whose endpoints cover the URL (approved or not: the caller decides). */
export function connectorFor(ids: readonly string[], catalog: CatalogReader, url: URL): ConnectorDoc | undefined {
  for (const id of ids) {
    const c = catalog.connector(id);
    if (c && c.spec.kind === 'http' && c.spec.endpoints.some((ep) => endpointMatches(ep, url))) return c;
  }
  return undefined;
}
