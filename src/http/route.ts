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
  /** Plain JSON-serialisable result, or a Response for streams and other content types. */
  handler: (ctx: RouteContext<B, Q>) => Promise<unknown>;
}

/** Identity helper that keeps B and Q inferred from the schemas. */
export function defineRoute<B = unknown, Q = unknown>(def: RouteDef<B, Q>): RouteDef<B, Q> {
  return def;
}

// Routes of different body types live in one list; the server validates before calling.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDef<any, any>;
