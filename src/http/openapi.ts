// Builds the OpenAPI 3.1 document from the typed route list and the raw mounts' descriptions, so every served route
// is described; request and response schemas come from the same zod schemas the server validates with.
import { z } from 'zod';
import type { AnyRoute, RawRouteDoc } from './route.js';
import { errorBodySchema } from './api-schemas.js';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  try {
    const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any', io }) as Json;
    return rest;
  } catch {
    return {};
  }
}

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ERROR_REF } },
});

/** A route as the document needs it, whether typed or raw. */
interface Described {
  method: string;
  path: string;
  summary: string;
  tag: string;
  access: RawRouteDoc['access'];
  auth?: string;
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
  responseContentType?: string;
  successStatus?: number;
}

function operation(r: Described): Json {
  const params: Json[] = [...r.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (r.query) {
    const qs = jsonSchema(r.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(qs.properties ?? {}))
      params.push({ name, in: 'query', required: (qs.required ?? []).includes(name), schema });
  }
  const type = r.responseContentType ?? 'application/json';
  const success = r.response
    ? { description: 'Success', content: { [type]: { schema: jsonSchema(r.response, 'output') } } }
    : {
        description: 'Success (a JSON object; its schema is not declared yet)',
        content: { [type]: { schema: type === 'application/json' ? { type: 'object' } : { type: 'string' } } },
      };
  const pub = r.access === 'public';
  const op: Json = {
    summary: r.summary,
    operationId: `${r.method}${r.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
    tags: [r.tag],
    parameters: params,
    responses: {
      [String(r.successStatus ?? 200)]: success,
      ...(r.body || r.query
        ? { '400': errorResponse('Invalid input: the error names the field and what to fix') }
        : {}),
      ...(pub
        ? {}
        : {
            '401': errorResponse(r.auth ? `Missing or bad credential (${r.auth})` : 'Missing or bad bearer token'),
            '403': errorResponse('Role may not act, or policy denied'),
          }),
      default: errorResponse('Error: { error: { code, message, details } }'),
    },
    ...(pub ? { security: [] } : { 'x-roles': r.access }),
    ...(r.auth ? { 'x-auth': r.auth } : {}),
  };
  if (r.body)
    op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } };
  return op;
}

export function buildOpenApi(routes: readonly AnyRoute[], version: string, raw: readonly RawRouteDoc[] = []): Json {
  const paths: Record<string, Json> = {};
  for (const r of [...routes, ...raw] as Described[])
    (paths[r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')] ??= {})[r.method] = operation(r);
  return {
    openapi: '3.1.0',
    info: { title: 'Gatehouse API', version, description: 'Governance for LLM-powered micro-apps.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: jsonSchema(errorBodySchema, 'output') },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
