// HTTP for the data layer: propose Dataset documents from a DataSource's schema (catalog discover).
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../http/route.js';
import type { DataSources } from './data-sources.js';
import { discoverDatasets } from './discover.js';

export function dataRoutes(sources: DataSources, scan?: (text: string) => string[]): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/catalog/datasources/:name/discover',
      summary: "Propose Dataset documents from a DataSource's tables, flagging sensitive columns (review before apply)",
      response: z.object({
        documents: z.array(
          z
            .object({
              kind: z.literal('Dataset'),
              metadata: z.object({ name: z.string() }).loose(),
              spec: z.object({}).loose(),
            })
            .loose()
            .describe('a proposed Dataset document: review it, then catalog apply'),
        ),
      }),
      tag: 'catalog',
      access: ['admin', 'data_owner'],
      handler: async ({ params }) => ({ documents: await discoverDatasets(sources, params.name, scan) }),
    }),
  ];
}
