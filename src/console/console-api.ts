// The console's way to the API: an in-process request to the same Hono app with the session's bearer token, so
// every page goes through the same routes, validation and role checks as the CLI (no second authorization path).
import type { Hono } from 'hono';

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  ok: boolean;
  body: T;
  /** The API's error message when !ok. */
  error?: string;
}

/** How the console calls the API for the signed-in user: their pasted API token, or their OIDC browser session. */
export type ConsoleCredential = { kind: 'token'; token: string } | { kind: 'session'; cookie: string; id: string };

/** The request headers that present a credential to the API (a session also needs the API's CSRF header). */
export function credentialHeaders(cred: ConsoleCredential): Record<string, string> {
  return cred.kind === 'token'
    ? { authorization: `Bearer ${cred.token}` }
    : { cookie: `${cred.cookie}=${cred.id}`, 'x-requested-with': 'gatehouse' };
}

export class ConsoleApi {
  constructor(
    private readonly app: Hono,
    private readonly cred: ConsoleCredential,
  ) {}

  get<T = Record<string, unknown>>(
    path: string,
    query: Record<string, string | undefined> = {},
  ): Promise<ApiAnswer<T>> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, v);
    const s = qs.toString();
    return this.call<T>('GET', s ? `${path}?${s}` : path);
  }

  post<T = Record<string, unknown>>(path: string, body: unknown): Promise<ApiAnswer<T>> {
    return this.call<T>('POST', path, body);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const res = await this.app.request(path, {
      method,
      headers: {
        ...credentialHeaders(this.cred),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = {};
    }
    const error = res.ok ? undefined : ((parsed as { error?: { message?: string } }).error?.message ?? res.statusText);
    return { status: res.status, ok: res.ok, body: parsed as T, error };
  }
}
