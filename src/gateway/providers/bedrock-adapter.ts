// AWS Bedrock adapter (Converse / ConverseStream): takes the OpenAI wire from the gateway, sends a Converse body to
// {upstream}/model/{modelId}/converse[-stream] signed with SigV4 (the AWS SDK's signer, service `bedrock`), and reads
// JSON answers and binary event streams back. The credential is the model's provider key as JSON
// {"accessKeyId","secretAccessKey","sessionToken"?}, or the server's AWS_* env vars with `bedrock.credentials: env`.
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ModelDoc } from '../../catalog/catalog-schema.js';
import { UpstreamError } from '../upstream-error.js';
import { parseConverseAnswer, parseConverseStream } from './bedrock-parse.js';
import { checkBedrockFields, openAiToConverse } from './bedrock-translate.js';
import {
  joinUrl,
  listPriceNanos,
  mapProviderError,
  providerSaid,
  type ProviderAdapter,
  type ProviderFailure,
  type ProviderTarget,
} from './provider-adapter.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * The signing region: the one in a bedrock-runtime.{region}.amazonaws.com URL (a routed deployment's own), else
 * `spec.bedrock.region` (an endpoint override such as a VPC endpoint or a test server).
 */
export function bedrockRegion(doc: ModelDoc, baseUrl = doc.spec.upstream): string {
  const r =
    /^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(baseUrl).hostname)?.[1] ??
    doc.spec.bedrock?.region;
  if (!r)
    throw new UpstreamError(
      400,
      `Model '${doc.metadata.name}': set spec.bedrock.region (the AWS region to sign for); the upstream URL does not name it.`,
      502,
      { shouldRetry: false },
    );
  return r;
}

/** Reads the credential JSON; the message never repeats what it was given. */
export function awsCredentials(name: string, key: string, env: Record<string, string | undefined>): AwsCredentials {
  const fail = (why: string): never => {
    throw new UpstreamError(
      401,
      `Model '${name}': the provider credential is not usable for Bedrock (${why}); set it with \`gatehouse model key set ${name}\` as {"accessKeyId":"...","secretAccessKey":"...","sessionToken":"..."}.`,
      502,
      { shouldRetry: false, credentialRefused: true },
    );
  };
  if (!key) {
    const id = env.AWS_ACCESS_KEY_ID;
    const secret = env.AWS_SECRET_ACCESS_KEY;
    if (!id || !secret) return fail('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set on the server');
    return {
      accessKeyId: id,
      secretAccessKey: secret,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  let j: unknown;
  try {
    j = JSON.parse(key);
  } catch {
    return fail('not JSON');
  }
  const o = (j ?? {}) as Record<string, unknown>;
  if (
    typeof o.accessKeyId !== 'string' ||
    !o.accessKeyId ||
    typeof o.secretAccessKey !== 'string' ||
    !o.secretAccessKey
  )
    return fail('accessKeyId and secretAccessKey are required');
  if (o.sessionToken !== undefined && typeof o.sessionToken !== 'string') return fail('sessionToken must be a string');
  return {
    accessKeyId: o.accessKeyId,
    secretAccessKey: o.secretAccessKey,
    ...(o.sessionToken ? { sessionToken: o.sessionToken } : {}),
  };
}

/** One signer per credential and region (it caches its derived signing key per day). */
const signers = new Map<string, SignatureV4>();
function signerFor(c: AwsCredentials, region: string): SignatureV4 {
  const k = `${region}\u0000${c.accessKeyId}\u0000${c.secretAccessKey}\u0000${c.sessionToken ?? ''}`;
  let s = signers.get(k);
  if (!s) {
    if (signers.size > 256) signers.clear();
    s = new SignatureV4({ credentials: c, region, service: 'bedrock', sha256: Sha256, uriEscapePath: true });
    signers.set(k, s);
  }
  return s;
}

/** Signs a POST with SigV4; returns the headers to send (host is set by the HTTP client from the URL). */
export async function signBedrock(
  url: URL,
  headers: Record<string, string>,
  body: string,
  c: AwsCredentials,
  region: string,
): Promise<Record<string, string>> {
  const signed = await signerFor(c, region).sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...headers, host: url.host },
    body,
  });
  const { host: _host, ...rest } = signed.headers;
  return rest;
}

const modelId = (t: ProviderTarget) => t.upstreamModel;
const errorType = (f: ProviderFailure) => {
  const h = f.headers['x-amzn-errortype'];
  const fromHeader = (Array.isArray(h) ? h[0] : h)?.split(':')[0];
  if (fromHeader) return fromHeader;
  try {
    const j = JSON.parse(f.body) as { __type?: unknown };
    return typeof j.__type === 'string' ? j.__type.split('#').at(-1) : undefined;
  } catch {
    return undefined;
  }
};

const CREDENTIAL_ERRORS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'MissingAuthenticationTokenException',
]);

/** Bedrock errors: a refused signature or key → 502 naming the model; no model access → 502 saying so; else shared. */
export function mapBedrockError(t: ProviderTarget, f: ProviderFailure) {
  const type = errorType(f);
  const said = providerSaid(f.body).said;
  if (type === 'AccessDeniedException')
    return new UpstreamError(
      f.status,
      `Model '${t.name}': AWS denied access to Bedrock model '${modelId(t)}' for the configured credential (AccessDeniedException); grant bedrock:InvokeModel / bedrock:InvokeModelWithResponseStream and enable the model in the Bedrock console.`,
      502,
      { shouldRetry: false, credentialRefused: true },
    );
  const refused =
    (type && CREDENTIAL_ERRORS.has(type)) ||
    f.status === 401 ||
    (f.status === 403 && /signature|security token|credential/i.test(said));
  if (refused)
    return new UpstreamError(
      f.status,
      `Model '${t.name}': AWS Bedrock refused the provider credential configured for this model (${type ?? f.status}); an admin must set a valid one with \`gatehouse model key set ${t.name}\`.`,
      502,
      { shouldRetry: false, credentialRefused: true },
    );
  return mapProviderError(t, f, 'AWS Bedrock');
}

export const bedrockAdapter: ProviderAdapter = {
  kind: 'bedrock',
  wire: 'openai',
  embeddings: false,
  needsKey: (doc) => doc.spec.bedrock?.credentials !== 'env',
  check: (body) => checkBedrockFields(body),
  async request(t, call, op) {
    if (op === 'embed')
      throw new UpstreamError(
        400,
        `Model '${t.name}': Bedrock embeddings (Titan invoke) are not served by Gatehouse yet; use an OpenAI, Azure OpenAI or Gemini embedding model.`,
        400,
      );
    const url = joinUrl(
      t.baseUrl,
      `/model/${encodeURIComponent(modelId(t))}/${op === 'stream' ? 'converse-stream' : 'converse'}`,
    );
    const body = JSON.stringify(openAiToConverse(call.body));
    const creds = awsCredentials(t.name, t.key, process.env);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: op === 'stream' ? 'application/vnd.amazon.eventstream' : 'application/json',
    };
    return { url, headers: await signBedrock(url, headers, body, creds, bedrockRegion(t.doc, t.baseUrl)), body };
  },
  parseAnswer: (t, _call, data) => parseConverseAnswer(t.name, data),
  parseStream: (t, _call, body) => parseConverseStream(t.name, body),
  parseEmbeddings: (t) => {
    throw new UpstreamError(0, `Model '${t.name}': Bedrock embeddings are not served by Gatehouse yet.`, 400);
  },
  mapError: mapBedrockError,
  // Bedrock hosts several tokenizer families; the usage it returns settles every call.
  tokenScale: () => 1,
  priceNanos: listPriceNanos,
};
