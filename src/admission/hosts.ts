// Host matching for egress declarations and connector endpoints (`api.example.com`, `*.example.com`, `host:port`).
import { egressAllowed } from '../policy/scope.js';

/** The host (lowercase, with :port when not default) of a URL or URL pattern, or undefined. */
export function hostOf(urlOrHost: string): string | undefined {
  const s = urlOrHost.trim().toLowerCase();
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^/?#\s]+)/.exec(s);
  if (!m) return undefined;
  const hostPort = m[1].replace(/^[^@]*@/, '');
  return hostPort.replace(/:(80|443)$/, '');
}

/** True when `host` (`name` or `name:port`) matches one pattern, by policy/scope.ts's egress rule. */
export function hostMatches(host: string, pattern: string): boolean {
  return egressAllowed([hostOf(pattern) ?? pattern], host);
}

export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => hostMatches(host, p));
}
