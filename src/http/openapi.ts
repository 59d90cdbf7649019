// Builds the OpenAPI 3.1 document from the typed route list, so every route is described.
import { z } from 'zod';
import type { AnyRoute } from './route.js';

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  try {
    return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function buildOpenApi(routes: readonly AnyRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const params = [...r.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (r.query) {
      const qs = jsonSchema(r.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(qs.properties ?? {})) {
        params.push({
          name,
          in: 'query',
          required: (qs.required ?? []).includes(name),
          schema: schema as { type: string },
        });
      }
    }
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: [r.tag],
      parameters: params,
      responses: {
        [String(r.successStatus ?? 200)]: { description: 'Success' },
        '400': { description: 'Invalid input: the error names the field and what to fix' },
        ...(r.access === 'public'
          ? {}
          : {
              '401': { description: 'Missing or bad bearer token' },
              '403': { description: 'Role may not act, or policy denied' },
            }),
      },
      ...(r.access === 'public' ? { security: [] } : { 'x-roles': r.access }),
    };
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } };
    (paths[path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Gatehouse API', version, description: 'Governance for LLM-powered micro-apps.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
