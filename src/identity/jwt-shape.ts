// Tells a compact JWS (three base64url parts) from other bearer strings (gh_ tokens, opaque IdP tokens) without
// parsing or verifying it: dependency-free so the CLI can use it without loading jose.

export function looksLikeJwt(token: string | undefined): token is string {
  return token !== undefined && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}
