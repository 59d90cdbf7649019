// Host matching for egress declarations and connector endpoints (`api.example.com`, `*.example.com`, `host:port`).

/** The host (lowercase, with :port when not default) of a URL or URL pattern, or undefined. */
export function hostOf(urlOrHost: string): string | undefined {
  const s = urlOrHost.trim().toLowerCase();
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^/?#\s]+)/.exec(s);
  if (!m) return undefined;
  const hostPort = m[1].replace(/^[^@]*@/, '');
  return hostPort.replace(/:(80|443)$/, '');
}

/** True when `host` matches one pattern: exact or `*.domain` (any subdomain, not the apex); ports must agree. */
export function hostMatches(host: string, pattern: string): boolean {
  const h = host.toLowerCase().replace(/:(80|443)$/, '');
  const p = (hostOf(pattern) ?? pattern).toLowerCase();
  if (p.startsWith('*.')) {
    const suffix = p.slice(1);
    const [hName, hPort] = h.split(':');
    const [pName, pPort] = suffix.split(':');
    return hName.endsWith(pName) && hName.length > pName.length && pPort === hPort;
  }
  // A pattern without a port covers the default ports only (80/443, stripped above).
  return h === p;
}

export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => hostMatches(host, p));
}
