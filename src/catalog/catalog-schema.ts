// Catalog documents (apiVersion gatehouse/v1): Dataset, Connector, Model, User. One zod schema each.
import { z } from 'zod';
import { ROLES } from '../identity/principal.js';
import { NAME_RE } from './names.js';

export { NAME_RE };

export const nameSchema = z
  .string()
  .regex(NAME_RE, 'use 1-63 lowercase letters, digits, ".", "_" or "-", starting and ending with a letter or digit');

export const CLASSIFICATIONS = ['public', 'internal', 'confidential', 'pii', 'regulated'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

const metadata = z
  .object({
    name: nameSchema,
    owner: z.string().min(1).optional(),
    description: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  })
  .strict();
const ownedMetadata = metadata.extend({ owner: z.string().min(1, 'name the owning user') });

export const datasetSchema = z
  .object({
    apiVersion: z.literal('gatehouse/v1'),
    kind: z.literal('Dataset'),
    metadata: ownedMetadata,
    spec: z
      .object({
        classification: z.enum(CLASSIFICATIONS),
        region: z.string().min(1),
        description: z.string().optional(),
        /** Where rows come from for ctx.data.query: a SQLite file or a CSV file (paths relative to GATEHOUSE_HOME). */
        source: z
          .object({ kind: z.enum(['sqlite', 'csv']), path: z.string().min(1), table: z.string().optional() })
          .strict()
          .optional(),
        columns: z
          .array(z.object({ name: z.string().min(1), tags: z.array(z.string()).default([]) }).strict())
          .default([]),
      })
      .strict(),
  })
  .strict();

export const connectorSchema = z
  .object({
    apiVersion: z.literal('gatehouse/v1'),
    kind: z.literal('Connector'),
    metadata: ownedMetadata,
    spec: z
      .object({
        kind: z.enum(['http', 'sql', 'queue', 'storage']),
        endpoints: z.array(z.string().min(1)).min(1, 'list at least one endpoint URL pattern'),
        sensitive: z.boolean().default(false),
        approved: z.boolean().default(false),
        region: z.string().optional(),
        /** Lets this connector reach private or loopback addresses (normally refused as SSRF). */
        allowPrivateNetwork: z.boolean().default(false),
        description: z.string().optional(),
      })
      .strict(),
  })
  .strict();

export const modelSchema = z
  .object({
    apiVersion: z.literal('gatehouse/v1'),
    kind: z.literal('Model'),
    metadata: metadata,
    spec: z
      .object({
        provider: z.enum(['openai', 'anthropic']),
        upstream: z.string().url('must be a base URL such as https://api.openai.com/v1'),
        /** Model name sent upstream, when it differs from metadata.name. */
        upstreamModel: z.string().optional(),
        region: z.string().min(1),
        version: z.string().min(1),
        pricing: z.object({ inputPerMTok: z.number().nonnegative(), outputPerMTok: z.number().nonnegative() }).strict(),
        environments: z.array(z.enum(['dev', 'staging', 'prod'])).min(1),
        risk: z.enum(['low', 'medium', 'high']),
        contextWindow: z.number().int().positive().optional(),
      })
      .strict(),
  })
  .strict();

export const userSchema = z
  .object({
    apiVersion: z.literal('gatehouse/v1'),
    kind: z.literal('User'),
    metadata: metadata,
    spec: z
      .object({
        roles: z.array(z.enum(ROLES)).default([]),
        groups: z.array(z.string()).default([]),
        email: z.string().optional(),
      })
      .strict(),
  })
  .strict();

export type DatasetDoc = z.output<typeof datasetSchema>;
export type ConnectorDoc = z.output<typeof connectorSchema>;
export type ModelDoc = z.output<typeof modelSchema>;
export type UserDoc = z.output<typeof userSchema>;
export type CatalogDoc = DatasetDoc | ConnectorDoc | ModelDoc | UserDoc;
export type CatalogKind = CatalogDoc['kind'];

export const catalogSchemas = {
  Dataset: datasetSchema,
  Connector: connectorSchema,
  Model: modelSchema,
  User: userSchema,
} as const;
export const CATALOG_KINDS = Object.keys(catalogSchemas) as CatalogKind[];

/** Read access to the catalog, as other features need it (cached in memory, refreshed on apply). */
export interface CatalogReader {
  dataset(name: string): DatasetDoc | undefined;
  connector(name: string): ConnectorDoc | undefined;
  model(name: string): ModelDoc | undefined;
  user(name: string): UserDoc | undefined;
  list<K extends CatalogKind>(kind: K): Extract<CatalogDoc, { kind: K }>[];
}
