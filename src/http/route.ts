// A typed API route: method, path, who may call it, validated body/query, and a handler. Also feeds OpenAPI.
import type { Context } from 'hono';
import type { z } from 'zod';
import type { Principal, Role } from '../identity/principal.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteContext<B, Q> {
  principal: Principal;
  body: B;
  query: Q;
  params: Record<string, string>;
  /** The raw Hono context, for headers and streaming. */
  c: Context;
}

export interface RouteDef<B = unknown, Q = unknown> {
  method: HttpMethod;
  /** Hono-style path, e.g. `/api/v1/apps/:app`. */
  path: string;
  summary: string;
  tag: string;
  /** Roles that may call; 'authenticated' = any valid token; 'public' = no token needed. Admin may always call. */
  access: readonly Role[] | 'authenticated' | 'public';
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  /** Status for a successful JSON response (default 200). */
  successStatus?: number;
  /** Shape of the successful JSON response, for the OpenAPI document (the handler's return type stays the check). */
  response?: z.ZodType;
  /** Plain JSON-serialisable result, or a Response for streams and other content types. */
  handler: (ctx: RouteContext<B, Q>) => Promise<unknown>;
}

/**
 * The OpenAPI description of a route a feature mounts as a raw Hono handler (protocol surfaces with their own shapes:
 * OpenAI/Anthropic, /metrics, /healthz), so the document lists every served route.
 */
export interface RawRouteDoc {
  method: HttpMethod;
  path: string;
  summary: string;
  tag: string;
  access: RouteDef['access'];
  /** How the caller authenticates when not by the Gatehouse bearer token (e.g. an app key). */
  auth?: string;
  body?: z.ZodType;
  response?: z.ZodType;
  /** Content type of the success response when not JSON (e.g. text/plain for /metrics). */
  responseContentType?: string;
}

/** Identity helper that keeps B and Q inferred from the schemas. */
export function defineRoute<B = unknown, Q = unknown>(def: RouteDef<B, Q>): RouteDef<B, Q> {
  return def;
}

// Routes of different body types live in one list; the server validates before calling.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDef<any, any>;
