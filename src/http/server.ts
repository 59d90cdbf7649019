// The HTTP server: mounts typed routes, authenticates bearer tokens, limits bodies, maps every error to JSON.
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import {
  ForbiddenError,
  GatehouseError,
  InvalidInputError,
  PayloadTooLargeError,
  UnauthenticatedError,
  asGatehouseError,
} from '../core/errors.js';
import { parseOrThrow } from '../core/validation.js';
import { hasAnyRole, type Principal } from '../identity/principal.js';
import { scopeAllows, scopeForRoute } from '../identity/scopes.js';
import { SESSION_COOKIE } from '../identity/web-session.js';
import { buildOpenApi } from './openapi.js';
import { parseBearer } from './bearer.js';
import type { HealthStatus } from '../core/health.js';
import { illFormedPath } from '../core/unicode.js';
import type { AnyRoute, RawRouteDoc } from './route.js';
import { healthzSchema, openApiDocumentSchema } from './api-schemas.js';
import type { Logger } from '../core/logger.js';

export interface HttpDeps {
  routes: readonly AnyRoute[];
  /** Resolves a bearer token to a principal, or undefined when unknown/expired. */
  authenticate(token: string): Promise<Principal | undefined>;
  /** Resolves a browser session cookie (used when no bearer token is sent); absent = no cookie sign-in. */
  authenticateSession?: (sessionId: string) => Promise<Principal | undefined>;
  maxBodyBytes: number;
  logger: Logger;
  /** Mounts routes that speak other protocols (OpenAI/Anthropic surfaces, /metrics, console). */
  mounts?: ReadonlyArray<Mount>;
  /** OpenAPI descriptions of what the mounts serve. */
  docs?: ReadonlyArray<RawRouteDoc>;
  version: string;
  /** Problems features reported (lost broadcasts ...): /healthz says `degraded` and lists them. */
  health?: () => HealthStatus;
}

/** Resolves a Gatehouse bearer token to its principal (undefined when unknown, revoked or expired). */
export type Authenticate = (token: string) => Promise<Principal | undefined>;

/** A raw Hono mount; it gets the server's authenticator so protected mounts check tokens the same way routes do. */
export type Mount = (app: Hono, authenticate: Authenticate) => void;

export function bearerToken(c: Context): string | undefined {
  return parseBearer(c.req.header('authorization'));
}

/** Reads the body as JSON within the size limit; an empty body is `{}`. */
export async function readJsonBody(c: Context, maxBytes: number): Promise<unknown> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxBytes) throw new PayloadTooLargeError(maxBytes);
  const buf = await readLimited(c.req.raw.body, maxBytes);
  if (buf.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new InvalidInputError(`Request body is not valid JSON: ${(err as Error).message}`, [
      { path: '(body)', message: 'send a JSON document' },
    ]);
  }
  const bad = illFormedPath(parsed);
  if (bad)
    throw new InvalidInputError(`Request body field ${bad} holds a lone UTF-16 surrogate; send well-formed Unicode.`, [
      { path: bad, message: 'not well-formed Unicode (lone surrogate)' },
    ]);
  return parsed;
}

/** Reads the raw body as UTF-8 text within the size limit (form-encoded protocol endpoints). */
export async function readBodyText(c: Context, maxBytes: number): Promise<string> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxBytes) throw new PayloadTooLargeError(maxBytes);
  return (await readLimited(c.req.raw.body, maxBytes)).toString('utf8');
}

/** Streams a body, cancelling it as soon as it passes `maxBytes`, so chunked uploads cannot exhaust memory. */
async function readLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

export function errorResponse(c: Context, err: unknown, logger: Logger): Response {
  const e = asGatehouseError(err);
  if (e.status >= 500 && !(err instanceof GatehouseError))
    logger.error('unhandled error', { path: c.req.path, err: String((err as Error)?.stack ?? err) });
  const headers: Record<string, string> = {};
  if (typeof e.extra.retryAfterSeconds === 'number')
    headers['retry-after'] = String(Math.max(1, Math.ceil(e.extra.retryAfterSeconds)));
  return c.json(e.toJSON(), e.status as 400, headers);
}

/** The routes the server itself serves, for the OpenAPI document. */
const SERVER_DOCS: RawRouteDoc[] = [
  {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness and readiness: ok or degraded, with what is degraded',
    tag: 'server',
    access: 'public',
    response: healthzSchema,
  },
  {
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    tag: 'server',
    access: 'public',
    response: openApiDocumentSchema,
  },
];

export function buildApp(deps: HttpDeps): Hono {
  const app = new Hono();
  app.onError((err, c) => errorResponse(c, err, deps.logger));
  app.notFound((c) =>
    c.json(
      { error: { code: 'not_found', message: `No route ${c.req.method} ${c.req.path}; see GET /api/openapi.json.` } },
      404,
    ),
  );
  // 200 while serving, degraded or not: a degraded replica still enforces; the body says what to look at.
  app.get('/healthz', (c) => c.json({ ...(deps.health?.() ?? { status: 'ok', problems: [] }), version: deps.version }));
  const openapi = buildOpenApi(deps.routes, deps.version, [...SERVER_DOCS, ...(deps.docs ?? [])]);
  app.get('/api/openapi.json', (c) => c.json(openapi));

  for (const route of deps.routes) {
    const needed = scopeForRoute(route.method, route.path, route.tag);
    app.on(route.method.toUpperCase(), route.path, async (c) => {
      let principal: Principal = { user: 'anonymous', roles: [], groups: [] };
      if (route.access !== 'public') {
        const token = bearerToken(c);
        let p = token ? await deps.authenticate(token) : undefined;
        const sessionId = !token && deps.authenticateSession ? getCookie(c, SESSION_COOKIE) : undefined;
        if (sessionId) {
          p = await deps.authenticateSession!(sessionId);
          // CSRF: a cross-site page cannot add a custom header without a CORS preflight, which is never granted.
          if (p && route.method !== 'get' && c.req.header('x-requested-with') !== 'gatehouse')
            throw new ForbiddenError(
              'A change made with a session cookie needs the header X-Requested-With: gatehouse (CSRF protection).',
            );
        }
        if (!p) throw new UnauthenticatedError();
        if (route.access !== 'authenticated' && !hasAnyRole(p, route.access)) {
          throw new ForbiddenError(
            `User '${p.user}' (roles: ${p.roles.join(', ') || 'none'}) may not ${route.summary.toLowerCase()}; it needs one of: ${route.access.join(', ')}.`,
          );
        }
        // Scopes narrow what a token may do within its user's roles; they never widen it.
        if (needed && !scopeAllows(p.scopes, needed))
          throw new ForbiddenError(
            `This token has scopes ${p.scopes?.join(', ')}; to ${route.summary.toLowerCase()} it needs '${needed}' (create one with \`gatehouse token create --scope ${needed}\`).`,
          );
        principal = p;
      }
      const rawBody = route.body ? await readJsonBody(c, deps.maxBodyBytes) : undefined;
      const body = route.body ? parseOrThrow(route.body, rawBody, 'request body') : undefined;
      const query = route.query ? parseOrThrow(route.query, c.req.query(), 'query parameters') : undefined;
      const out = await route.handler({ principal, body, query, params: c.req.param() as Record<string, string>, c });
      if (out instanceof Response) return out;
      return c.json(out as object, (route.successStatus ?? 200) as 200);
    });
  }
  for (const mount of deps.mounts ?? []) mount(app, deps.authenticate);
  return app;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Bounds on what a slow or stalled client can hold (config `server.*TimeoutMs`). */
export interface ConnectionLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
}

export function listen(app: Hono, host: string, port: number, limits?: ConnectionLimits): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    let server: ServerType;
    const serverOptions = limits && {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
      // Node checks the two timeouts above on this interval (default 30 s): keep it well under them.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    };
    try {
      server = serve({ fetch: app.fetch, hostname: host, port, serverOptions }, (info: AddressInfo) => {
        const h = host.includes(':') ? `[${host}]` : host;
        resolve({
          url: `http://${h}:${info.port}`,
          port: info.port,
          close: () =>
            new Promise<void>((r) => {
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
              server.close(() => r());
            }),
        });
      });
      // A socket with nothing moving either way (a client that never reads its stream) is destroyed; the stream's
      // source is cancelled, so the call settles as client_closed and frees what it held.
      if (limits) server.setTimeout(limits.idleTimeoutMs);
      server.on('error', reject);
    } catch (err) {
      reject(err);
    }
  });
}
