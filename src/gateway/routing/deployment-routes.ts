// GET /api/v1/models/:model/deployments: a model's deployments and their live state on the replica that answers
// (circuit, recent latency) and across replicas (this minute's rpm/tpm use).
import { z } from 'zod';
import type { CatalogReader } from '../../catalog/catalog-schema.js';
import { NotFoundError } from '../../core/errors.js';
import { defineRoute, type AnyRoute } from '../../http/route.js';
import type { DeploymentRouter } from './deployment-router.js';

const deploymentStateSchema = z.object({
  id: z.string(),
  provider: z.string(),
  upstream: z.string(),
  region: z.string(),
  weight: z.number(),
  rpm: z.number().optional(),
  tpm: z.number().optional(),
  circuit: z.string().describe('closed, open or half-open (this replica)'),
  latencyMs: z.number().optional().describe('recent latency to answer, EWMA (this replica)'),
  rpmUsed: z.number().describe('requests this minute, all replicas'),
  tpmUsed: z.number().describe('tokens reserved this minute, all replicas'),
});

export const modelDeploymentsSchema = z.object({
  model: z.string(),
  implicit: z.boolean().describe('true: the model lists no deployments (one, `default`, from its upstream)'),
  deployments: z.array(deploymentStateSchema),
});
export type ModelDeployments = z.infer<typeof modelDeploymentsSchema>;

export function deploymentRoutes(router: DeploymentRouter, catalog: CatalogReader): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/models/:model/deployments',
      summary: "A model's deployments with their circuit, recent latency and this minute's rpm/tpm use",
      response: modelDeploymentsSchema,
      tag: 'gateway',
      access: ['creator', 'admin', 'security', 'auditor'],
      handler: async ({ params }) => {
        const doc = catalog.model(params.model);
        if (!doc) throw new NotFoundError('Model', params.model, 'it is not in the catalog (`gatehouse catalog list`)');
        return { model: params.model, implicit: !doc.spec.deployments, deployments: await router.live(doc) };
      },
    }),
  ];
}
