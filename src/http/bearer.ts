// The one parser of `Authorization: Bearer <token>` headers (API routes, /metrics, the model gateway).

/** The token in an Authorization header, or undefined when the header is absent or not a bearer token. */
export function parseBearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m ? m[1].trim() || undefined : undefined;
}
