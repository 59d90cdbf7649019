// The one map from `spec.provider` to its adapter; UpstreamClient, the invoker and token counting look adapters up here.
import type { ModelDoc } from '../../catalog/catalog-schema.js';
import { anthropicAdapter } from './anthropic-adapter.js';
import { azureOpenAiAdapter } from './azure-openai-adapter.js';
import { bedrockAdapter } from './bedrock-adapter.js';
import { geminiAdapter, vertexAdapter } from './gemini-adapter.js';
import { openAiAdapter, openAiCompatibleAdapter } from './openai-adapter.js';
import type { ProviderAdapter, ProviderKind } from './provider-adapter.js';

export const PROVIDER_ADAPTERS: Readonly<Record<ProviderKind, ProviderAdapter>> = {
  openai: openAiAdapter,
  'openai-compatible': openAiCompatibleAdapter,
  anthropic: anthropicAdapter,
  'azure-openai': azureOpenAiAdapter,
  gemini: geminiAdapter,
  vertex: vertexAdapter,
  bedrock: bedrockAdapter,
};

export function adapterFor(provider: ProviderKind): ProviderAdapter {
  return PROVIDER_ADAPTERS[provider];
}

/** The adapter of a catalog model. */
export const adapterOf = (doc: ModelDoc): ProviderAdapter => PROVIDER_ADAPTERS[doc.spec.provider];
