// REST routes of the catalog: apply documents (YAML files or JSON), list and read entries.
import { z } from 'zod';
import { NotFoundError } from '../core/errors.js';
import { parseYamlDocuments, type SourcedDocument } from '../core/yaml-documents.js';
import { didYouMean } from '../core/suggest.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { CATALOG_KINDS, catalogSchemas, type CatalogKind } from './catalog-schema.js';

/** A stored catalog document: one of the kinds' own schemas (the same ones apply validates with). */
const catalogDocSchema = z.union(Object.values(catalogSchemas));
const applyResponse = z.object({
  results: z.array(
    z.object({ kind: z.enum(CATALOG_KINDS), name: z.string(), action: z.enum(['created', 'updated', 'unchanged']) }),
  ),
});
import type { CatalogService } from './catalog-service.js';

const applyBody = z.union([
  z.object({ files: z.array(z.object({ name: z.string().min(1), content: z.string() }).strict()).min(1) }).strict(),
  z.object({ documents: z.array(z.unknown()).min(1) }).strict(),
]);

function kindOf(raw: string): CatalogKind {
  const k = CATALOG_KINDS.find(
    (x) => x.toLowerCase() === raw.toLowerCase() || `${x.toLowerCase()}s` === raw.toLowerCase(),
  );
  if (!k) throw new NotFoundError('Catalog kind', raw, `use one of ${CATALOG_KINDS.join(', ')}`);
  return k;
}

export function catalogRoutes(catalog: CatalogService): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/catalog/apply',
      summary: 'Apply catalog documents',
      response: applyResponse,
      tag: 'catalog',
      access: ['admin', 'data_owner', 'security'],
      body: applyBody,
      handler: async ({ body, principal }) => {
        const docs: SourcedDocument[] =
          'files' in body
            ? body.files.flatMap((f) => parseYamlDocuments(f.content, f.name))
            : body.documents.map((value, i) => ({ source: `document#${i + 1}`, value }));
        return { results: await catalog.apply(docs, principal.user) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/catalog',
      summary: 'List catalog entries',
      response: z.object({ items: z.array(catalogDocSchema) }),
      tag: 'catalog',
      access: 'authenticated',
      query: z.object({ kind: z.string().optional() }),
      handler: async ({ query }) => {
        const kinds = query.kind ? [kindOf(query.kind)] : CATALOG_KINDS;
        return { items: kinds.flatMap((k) => catalog.list(k)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/catalog/:kind/:name',
      summary: 'Read a catalog entry',
      response: catalogDocSchema,
      tag: 'catalog',
      access: 'authenticated',
      handler: async ({ params }) => {
        const kind = kindOf(params.kind);
        const doc = catalog.list(kind).find((d) => d.metadata.name === params.name);
        if (!doc) throw new NotFoundError(kind, params.name, didYouMean(params.name, catalog.names(kind)));
        return doc;
      },
    }),
  ];
}
