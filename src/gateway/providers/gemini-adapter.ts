// Google Gemini adapters: `gemini` (Gemini API, x-goog-api-key) and `vertex` (Vertex AI, OAuth bearer token from a
// service-account JSON). Both take the OpenAI wire from the gateway and send Gemini's generateContent body.
import { countTokens } from 'gpt-tokenizer';
import type { ModelDoc } from '../../catalog/catalog-schema.js';
import { refuse } from '../wire-fields.js';
import { geminiEmbeddingsToOpenAi, parseGeminiAnswer, parseGeminiSse } from './gemini-parse.js';
import { checkGeminiFields, openAiToGemini } from './gemini-translate.js';
import {
  joinUrl,
  listPriceNanos,
  mapProviderError,
  providerSaid,
  type ProviderAdapter,
  type ProviderKind,
  type ProviderOp,
  type ProviderTarget,
} from './provider-adapter.js';
import { VertexTokens } from './vertex-token.js';

type Obj = Record<string, unknown>;

/** The model id without a `models/` prefix (catalogs may write either). */
const modelId = (t: ProviderTarget) => t.upstreamModel.replace(/^models\//, '');

const EMBED_FIELDS = new Set(['model', 'input', 'dimensions', 'encoding_format', 'user']);

/** The texts of an OpenAI embeddings body; refuses token-array input, base64 output and unknown fields. */
function embedInputs(b: Obj): string[] {
  for (const [k, v] of Object.entries(b))
    if (v != null && !EMBED_FIELDS.has(k)) refuse(k, 'Gemini embeddings take model, input, dimensions and user only');
  if (b.encoding_format != null && b.encoding_format !== 'float' && b.encoding_format !== 'base64')
    refuse('encoding_format', 'use float or base64');
  const input = typeof b.input === 'string' ? [b.input] : Array.isArray(b.input) ? b.input : [];
  return input.map((s, i) => (typeof s === 'string' ? s : refuse(`input[${i}]`, 'Gemini embeds text, not token ids')));
}

function geminiBody(t: ProviderTarget, body: Obj, op: ProviderOp): Obj {
  if (op !== 'embed') return openAiToGemini(body, t.doc.spec.provider !== 'vertex');
  const dims = body.dimensions != null ? { outputDimensionality: body.dimensions } : {};
  if (t.doc.spec.provider === 'vertex')
    return {
      instances: embedInputs(body).map((content) => ({ content })),
      ...(body.dimensions != null ? { parameters: dims } : {}),
    };
  return {
    requests: embedInputs(body).map((text) => ({
      model: `models/${modelId(t)}`,
      content: { parts: [{ text }] },
      ...dims,
    })),
  };
}

const METHOD: Record<ProviderOp, string> = {
  chat: ':generateContent',
  stream: ':streamGenerateContent?alt=sse',
  embed: ':batchEmbedContents',
};

/** Gemini answers a bad API key with 400 API_KEY_INVALID: that is a refused credential, like a 401. */
function credentialRefused(status: number, body: string): boolean {
  if (status === 401 || status === 403) return true;
  const { error } = providerSaid(body);
  const details = Array.isArray(error?.details) ? (error.details as Obj[]) : [];
  return status === 400 && details.some((d) => d.reason === 'API_KEY_INVALID');
}

function googleAdapter(
  kind: ProviderKind,
  label: string,
  url: (t: ProviderTarget, op: ProviderOp) => URL,
  auth: (t: ProviderTarget) => Promise<Record<string, string>>,
): ProviderAdapter {
  return {
    kind,
    wire: 'openai',
    embeddings: true,
    needsKey: () => true,
    check: (body) => checkGeminiFields(body),
    async request(t, call, op) {
      const body = geminiBody(t, call.body, op);
      return {
        url: url(t, op),
        headers: { 'content-type': 'application/json', ...(await auth(t)) },
        body: JSON.stringify(body),
      };
    },
    parseAnswer: (t, _call, data) => parseGeminiAnswer(t.name, data),
    parseStream: (t, _call, body) => parseGeminiSse(t.name, body),
    parseEmbeddings: (t, call, data) =>
      geminiEmbeddingsToOpenAi(data, {
        model: t.name,
        tokensIn: embedInputs(call.body).reduce((n, s) => n + countTokens(s), 0),
        base64: call.body.encoding_format === 'base64',
      }),
    mapError: (t, f) => mapProviderError(t, credentialRefused(f.status, f.body) ? { ...f, status: 401 } : f, label),
    // Gemini's SentencePiece tokenizer is not o200k_base; the provider's usageMetadata settles every call.
    tokenScale: () => 1,
    priceNanos: listPriceNanos,
  };
}

export const geminiAdapter: ProviderAdapter = googleAdapter(
  'gemini',
  'Google Gemini',
  (t, op) => joinUrl(t.baseUrl, `/models/${encodeURIComponent(modelId(t))}${METHOD[op]}`),
  async (t) => ({ 'x-goog-api-key': t.key }),
);

const tokens = new VertexTokens();

/** `{upstream}/projects/{p}/locations/{l}/publishers/google/models/{m}:{method}` (upstream ends in /v1). */
function vertexUrl(t: ProviderTarget, op: ProviderOp): URL {
  const v = t.doc.spec.vertex;
  const method = op === 'embed' ? ':predict' : METHOD[op];
  return joinUrl(
    t.baseUrl,
    `/projects/${v?.project ?? ''}/locations/${vertexLocation(t.baseUrl, v?.location)}/publishers/google/models/${encodeURIComponent(modelId(t))}${method}`,
  );
}

/**
 * The location a call runs in: the one a Google endpoint names ({location}-aiplatform.googleapis.com, or `global`),
 * so a routed deployment's region is where the prompt goes; else `spec.vertex.location` (a proxy or test server).
 */
export function vertexLocation(baseUrl: string, fallback = ''): string {
  const host = new URL(baseUrl).hostname;
  if (host === 'aiplatform.googleapis.com') return 'global';
  return /^([a-z0-9-]+)-aiplatform\.googleapis\.com$/.exec(host)?.[1] ?? fallback;
}

export const vertexAdapter: ProviderAdapter = googleAdapter('vertex', 'Google Vertex AI', vertexUrl, async (t) => ({
  authorization: `Bearer ${await tokens.token(t.name, t.key)}`,
}));

/** The default API base of a Vertex location (what `spec.upstream` usually is). */
export const vertexBase = (doc: Pick<ModelDoc['spec'], 'vertex'>): string =>
  doc.vertex?.location === 'global'
    ? 'https://aiplatform.googleapis.com/v1'
    : `https://${doc.vertex?.location ?? 'us-central1'}-aiplatform.googleapis.com/v1`;
