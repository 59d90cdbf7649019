// Anthropic Messages wire adapter: x-api-key and anthropic-version headers, /v1/messages, no embeddings.
import { parseAnswer, parseSse } from '../upstream-parse.js';
import { UpstreamError } from '../upstream-error.js';
import { joinUrl, listPriceNanos, mapProviderError, type ProviderAdapter } from './provider-adapter.js';

export const ANTHROPIC_VERSION = '2023-06-01';

export const anthropicAdapter: ProviderAdapter = {
  kind: 'anthropic',
  wire: 'anthropic',
  embeddings: false,
  needsKey: () => true,
  check() {
    // Same protocol: wire-fields.ts already refused what is never forwarded.
  },
  async request(t, call, op) {
    if (op === 'embed') throw new UpstreamError(400, `Model '${t.name}': Anthropic serves no embeddings.`, 400);
    // Anthropic's base is often the bare host (https://api.anthropic.com); a base ending in /v1 is accepted too.
    const base = t.baseUrl.replace(/\/+$/, '');
    return {
      url: joinUrl(base, base.endsWith('/v1') ? '/messages' : '/v1/messages'),
      headers: { 'content-type': 'application/json', 'x-api-key': t.key, 'anthropic-version': ANTHROPIC_VERSION },
      body: JSON.stringify(call.body),
    };
  },
  parseAnswer: (t, call, data) => parseAnswer({ provider: 'anthropic', name: t.name, jsonTool: call.jsonTool }, data),
  parseStream: (t, call, body) => parseSse({ provider: 'anthropic', name: t.name, jsonTool: call.jsonTool }, body),
  parseEmbeddings: (t) => {
    throw new UpstreamError(400, `Model '${t.name}': Anthropic serves no embeddings.`, 400);
  },
  mapError: (t, f) => mapProviderError(t, f, 'Anthropic'),
  // Claude's tokenizer is not public; o200k_base under-counts Claude's tokens, so counts are scaled up.
  tokenScale: (anthropicFactor) => anthropicFactor,
  priceNanos: listPriceNanos,
};
