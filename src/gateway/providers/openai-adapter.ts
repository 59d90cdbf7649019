// OpenAI Chat Completions wire adapters: `openai` (bearer key, base URL ending in /v1) and `openai-compatible`
// (the same wire at any base URL: vLLM, Ollama, TGI, Groq, Mistral, Together; optionally without auth).
import type { ModelDoc } from '../../catalog/catalog-schema.js';
import { parseAnswer, parseSse } from '../upstream-parse.js';
import {
  joinUrl,
  listPriceNanos,
  mapProviderError,
  type ProviderAdapter,
  type ProviderKind,
  type ProviderOp,
  type ProviderTarget,
  type UpstreamCall,
} from './provider-adapter.js';

/** What differs between OpenAI-wire providers: the URL of an operation and the auth headers. */
export interface OpenAiWireOptions {
  kind: ProviderKind;
  /** Human name for messages ("OpenAI", "Azure OpenAI"). */
  label: string;
  url(t: ProviderTarget, op: ProviderOp): URL;
  auth(t: ProviderTarget): Promise<Record<string, string>> | Record<string, string>;
  needsKey(doc: ModelDoc): boolean;
  /** Whether the upstream model name goes in the body (Azure names the deployment in the URL instead). */
  modelInBody?: boolean;
}

/** An adapter speaking OpenAI's wire: the body goes as the gateway governed it, answers parse as OpenAI's. */
export function openAiWireAdapter(o: OpenAiWireOptions): ProviderAdapter {
  const parseOpts = (t: ProviderTarget, call: UpstreamCall) => ({
    provider: 'openai' as const,
    name: t.name,
    jsonTool: call.jsonTool,
  });
  return {
    kind: o.kind,
    wire: 'openai',
    embeddings: true,
    needsKey: o.needsKey,
    check() {
      // Same protocol: wire-fields.ts already refused what is never forwarded.
    },
    async request(t, call, op) {
      const body = o.modelInBody === false ? withoutModel(call.body) : call.body;
      return {
        url: o.url(t, op),
        headers: { 'content-type': 'application/json', ...(await o.auth(t)) },
        body: JSON.stringify(body),
      };
    },
    parseAnswer: (t, call, data) => parseAnswer(parseOpts(t, call), data),
    parseStream: (t, call, body) => parseSse(parseOpts(t, call), body),
    parseEmbeddings: (_t, _call, data) => data,
    mapError: (t, f) => mapProviderError(t, f, o.label),
    tokenScale: () => 1,
    priceNanos: listPriceNanos,
  };
}

const withoutModel = (b: Record<string, unknown>): Record<string, unknown> => {
  const { model: _model, ...rest } = b;
  return rest;
};

const path = (op: ProviderOp) => (op === 'embed' ? '/embeddings' : '/chat/completions');

export const openAiAdapter: ProviderAdapter = openAiWireAdapter({
  kind: 'openai',
  label: 'OpenAI',
  url: (t, op) => joinUrl(t.baseUrl, path(op)),
  auth: (t) => ({ authorization: `Bearer ${t.key}` }),
  needsKey: () => true,
});

export const openAiCompatibleAdapter: ProviderAdapter = openAiWireAdapter({
  kind: 'openai-compatible',
  label: 'the OpenAI-compatible server',
  url: (t, op) => joinUrl(t.baseUrl, path(op)),
  auth: (t): Record<string, string> =>
    t.doc.spec.openaiCompatible?.auth === 'none' ? {} : { authorization: `Bearer ${t.key}` },
  needsKey: (doc) => doc.spec.openaiCompatible?.auth !== 'none',
});
