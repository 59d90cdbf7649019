// Catalog documents (apiVersion gatehouse/v1): Dataset, Connector, Model, User, DataSource, TrustPolicy. One zod
// schema each.
import { z } from 'zod';
import { ROLES } from '../identity/principal.js';
import { SCOPES } from '../identity/scopes.js';
import { NAME_RE } from './names.js';
import { parseDuration } from '../core/duration.js';
import { GatehouseError } from '../core/errors.js';

/** Exchanged workload tokens live at most this long; a TrustPolicy asking for more is refused, not clamped. */
export const MAX_EXCHANGE_TTL_MS = 3_600_000;

/** The one duration parser, reporting its message as a zod issue. */
function durationOrIssue(v: string, ctx: z.RefinementCtx): number | undefined {
  try {
    return parseDuration(v, 'spec.ttl');
  } catch (err) {
    if (!(err instanceof GatehouseError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.message });
    return undefined;
  }
}

export { NAME_RE };

export const nameSchema = z
  .string()
  .regex(NAME_RE, 'use 1-63 lowercase letters, digits, ".", "_" or "-", starting and ending with a letter or digit');

/** Masking applied to a column before an app sees it. */
export const MASKS = ['mask', 'partial', 'hash', 'tokenize', 'null'] as const;
export type MaskKind = (typeof MASKS)[number];
const SQL_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

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
        /**
         * Where rows come from for ctx.data.query/sql: a SQLite or CSV file (paths relative to GATEHOUSE_HOME), or a
         * table or view of a catalog DataSource.
         */
        source: z
          .union([
            z
              .object({ kind: z.enum(['sqlite', 'csv']), path: z.string().min(1), table: z.string().optional() })
              .strict(),
            z
              .object({ dataSource: nameSchema, table: z.string().regex(SQL_IDENT, 'use a plain table or view name') })
              .strict(),
          ])
          .optional(),
        columns: z
          .array(
            z
              .object({
                name: z.string().min(1),
                tags: z.array(z.string()).default([]),
                /** How the column reaches apps: masked in SQL where the engine can, else on the rows. */
                mask: z.enum(MASKS).optional(),
              })
              .strict(),
          )
          .default([]),
      })
      .strict(),
  })
  .strict();

export const DATA_ENGINES = ['postgres', 'mysql', 'sqlite', 'csv'] as const;
export type DataEngine = (typeof DATA_ENGINES)[number];

/** A database or file store that datasets read from; its admin credential stays on the server (env var name). */
export const dataSourceSchema = z
  .object({
    apiVersion: z.literal('gatehouse/v1'),
    kind: z.literal('DataSource'),
    metadata: ownedMetadata,
    spec: z
      .object({
        engine: z.enum(DATA_ENGINES),
        host: z.string().min(1).optional(),
        port: z.number().int().positive().max(65535).optional(),
        /** Database name (postgres, mysql) or file path relative to GATEHOUSE_HOME (sqlite, csv). */
        database: z.string().min(1),
        /** Schema for postgres (default public). */
        schema: z.string().regex(SQL_IDENT).optional(),
        /** Name of the server environment variable holding the admin credential (a URL or a password). */
        credential: z
          .object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'name an environment variable such as PG_ADMIN_URL') })
          .strict()
          .optional(),
        user: z.string().min(1).optional(),
        region: z.string().min(1),
        /** postgres: each run queries as its own expiring role granted only the approved columns (docs/data.md). */
        runCredentials: z.boolean().default(false),
        /** Largest planner cost estimate (EXPLAIN) a query may have; unset means no cost guard. */
        maxQueryCost: z.number().positive().optional(),
        description: z.string().optional(),
      })
      .strict()
      .superRefine((s, ctx) => {
        if ((s.engine === 'postgres' || s.engine === 'mysql') && !s.host)
          ctx.addIssue({ code: 'custom', path: ['host'], message: `a ${s.engine} source needs host` });
      }),
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

/** Upstream providers a Model may name (src/gateway/providers/ holds one adapter each). */
export const MODEL_PROVIDERS = [
  'openai',
  'openai-compatible',
  'anthropic',
  'azure-openai',
  'gemini',
  'vertex',
  'bedrock',
] as const;
/** Provider-specific spec fields and the provider each belongs to. */
const PROVIDER_FIELDS = [
  ['openaiCompatible', 'openai-compatible'],
  ['azure', 'azure-openai'],
  ['vertex', 'vertex'],
  ['bedrock', 'bedrock'],
] as const;
/**
 * One deployment of a model (a region, an account, a key's quota): the gateway routes each call to one of them
 * (docs/gateway.md, Routing). `provider`, `upstreamModel` default to the model's own.
 */
export const deploymentSchema = z
  .object({
    id: nameSchema,
    provider: z.enum(MODEL_PROVIDERS).optional(),
    upstream: z.string().url('must be a base URL such as https://eu.api.openai.com/v1'),
    upstreamModel: z.string().min(1).optional(),
    region: z.string().min(1, 'name the region the deployment runs in, e.g. eu-west-1'),
    weight: z.number().positive('must be a positive share of traffic, e.g. 1 or 3').default(1),
    /** Requests per minute this deployment may take, counted across replicas. */
    rpm: z.number().int().positive('must be a positive whole number of requests per minute').optional(),
    /** Tokens (prompt + max output) per minute this deployment may take, counted across replicas. */
    tpm: z.number().int().positive('must be a positive whole number of tokens per minute').optional(),
  })
  .strict();
export type DeploymentSpec = z.output<typeof deploymentSchema>;

export const modelSchema = z
  .object({
    apiVersion: z.literal('gatehouse/v1'),
    kind: z.literal('Model'),
    metadata: metadata,
    spec: z
      .object({
        provider: z.enum(MODEL_PROVIDERS),
        /** Base URL: https://api.openai.com/v1, an Azure resource endpoint, a Gemini or Vertex API base (docs/gateway.md). */
        upstream: z.string().url('must be a base URL such as https://api.openai.com/v1'),
        /** Model name sent upstream, when it differs from metadata.name. */
        upstreamModel: z.string().optional(),
        region: z.string().min(1),
        version: z.string().min(1),
        pricing: z.object({ inputPerMTok: z.number().nonnegative(), outputPerMTok: z.number().nonnegative() }).strict(),
        environments: z.array(z.enum(['dev', 'staging', 'prod'])).min(1),
        risk: z.enum(['low', 'medium', 'high']),
        contextWindow: z.number().int().positive().optional(),
        /** What the model takes as input; image parts reach it only when `image` is listed (default: text only). */
        modalities: z.array(z.enum(['text', 'image'])).optional(),
        /** Several deployments to route across; absent: one implicit deployment (upstream, region above). */
        deployments: z
          .array(deploymentSchema)
          .min(1, 'list at least one deployment, or leave deployments out')
          .superRefine((ds, ctx) => {
            const seen = new Set<string>();
            ds.forEach((d, i) => {
              if (seen.has(d.id))
                ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `deployment id '${d.id}' is used twice` });
              seen.add(d.id);
            });
          })
          .optional(),
        /** provider openai-compatible: how the server authenticates (none for a local vLLM or Ollama). */
        openaiCompatible: z
          .object({ auth: z.enum(['bearer', 'none']).default('bearer') })
          .strict()
          .optional(),
        /** provider azure-openai: deployment (default upstreamModel or the model name), api-version, auth kind. */
        azure: z
          .object({
            deployment: z
              .string()
              .regex(/^[A-Za-z0-9._-]+$/, 'use the Azure deployment name')
              .optional(),
            apiVersion: z.string().regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'an api-version such as 2024-10-21'),
            /**
             * api-key: the provider key is the resource key; entra: it is Entra ID client credentials (JSON
             * {tenant_id, client_id, client_secret}) Gatehouse exchanges for tokens; entra-token: it is a bearer token.
             */
            auth: z.enum(['api-key', 'entra', 'entra-token']).default('api-key'),
          })
          .strict()
          .optional(),
        /** provider vertex: the Google Cloud project and location; the provider key is a service-account JSON. */
        vertex: z
          .object({
            project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'a Google Cloud project id'),
            location: z.string().regex(/^[a-z]+(-[a-z]+\d*)*$/, 'a location such as us-central1 or global'),
          })
          .strict()
          .optional(),
        /**
         * provider bedrock: the AWS region to sign for (default: the one in a bedrock-runtime.{region}.amazonaws.com
         * upstream); credentials `key` (the model's provider key, a JSON) or `env` (the server's AWS_* variables).
         */
        bedrock: z
          .object({
            region: z
              .string()
              .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as us-east-1')
              .optional(),
            credentials: z.enum(['key', 'env']).default('key'),
          })
          .strict()
          .optional(),
      })
      .strict()
      .superRefine((s, ctx) => {
        for (const [field, owner] of PROVIDER_FIELDS)
          if (s[field] !== undefined && s.provider !== owner)
            ctx.addIssue({ code: 'custom', path: [field], message: `only for provider ${owner}; remove it` });
        if (s.provider === 'azure-openai' && !s.azure)
          ctx.addIssue({ code: 'custom', path: ['azure'], message: 'an azure-openai model needs azure.apiVersion' });
        if (s.provider === 'vertex' && !s.vertex)
          ctx.addIssue({
            code: 'custom',
            path: ['vertex'],
            message: 'a vertex model needs vertex.project and vertex.location',
          });
        s.deployments?.forEach((d, i) => {
          // The gateway translates a call once, for the model's provider; every deployment must speak it.
          if (d.provider && d.provider !== s.provider)
            ctx.addIssue({
              code: 'custom',
              path: ['deployments', i, 'provider'],
              message: `must be the model's provider (${s.provider}); list a separate Model for a ${d.provider} deployment`,
            });
        });
      }),
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
        /** false = deactivated: every token and IdP sign-in of this user is refused at once. */
        active: z.boolean().optional(),
        /** Where the user came from: written in the catalog, or provisioned on first OIDC sign-in. */
        source: z.enum(['catalog', 'oidc']).optional(),
        /** For `source: oidc`: the IdP's issuer and subject the user is bound to. */
        issuer: z.string().optional(),
        subject: z.string().optional(),
      })
      .strict(),
  })
  .strict();

/** Lets a workload (a CI job) exchange its OIDC token for a short-lived Gatehouse token (docs/identity.md). */
export const trustPolicySchema = z
  .object({
    apiVersion: z.literal('gatehouse/v1'),
    kind: z.literal('TrustPolicy'),
    metadata: metadata,
    spec: z
      .object({
        /** The workload's token issuer, e.g. https://token.actions.githubusercontent.com. */
        issuer: z.url(),
        /** The `aud` the workload requests for its token. */
        audience: z.string().min(1),
        /** The token's `sub`; `*` matches any run of characters, e.g. repo:acme/bots:ref:refs/heads/main. */
        subject: z.string().min(1),
        /** The catalog user the exchanged token acts as. */
        actAs: z.object({ user: nameSchema }).strict(),
        /** Scopes the exchanged token may carry (a request may narrow them). */
        allowedActions: z.array(z.enum(SCOPES)).min(1),
        /** Lifetime of the exchanged token (at most 1h). */
        ttl: z
          .string()
          .default('15m')
          .superRefine((v, ctx) => {
            const ms = durationOrIssue(v, ctx);
            if (ms !== undefined && ms > MAX_EXCHANGE_TTL_MS)
              ctx.addIssue({
                code: 'custom',
                message: `${v} is over the 1h limit for exchanged tokens; use 1h or less`,
              });
          }),
      })
      .strict(),
  })
  .strict();

export type DatasetDoc = z.output<typeof datasetSchema>;
export type ConnectorDoc = z.output<typeof connectorSchema>;
export type DataSourceDoc = z.output<typeof dataSourceSchema>;
export type ModelDoc = z.output<typeof modelSchema>;
export type UserDoc = z.output<typeof userSchema>;
export type TrustPolicyDoc = z.output<typeof trustPolicySchema>;
export type CatalogDoc = DatasetDoc | ConnectorDoc | ModelDoc | UserDoc | DataSourceDoc | TrustPolicyDoc;
export type CatalogKind = CatalogDoc['kind'];

export const catalogSchemas = {
  Dataset: datasetSchema,
  Connector: connectorSchema,
  Model: modelSchema,
  User: userSchema,
  DataSource: dataSourceSchema,
  TrustPolicy: trustPolicySchema,
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

/** The DataSource documents (kept apart from CatalogReader: only the data layer reads connection details). */
export interface DataSourceReader {
  dataSource(name: string): DataSourceDoc | undefined;
}
