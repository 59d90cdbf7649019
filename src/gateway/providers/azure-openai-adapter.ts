// Azure OpenAI adapter: OpenAI's wire at {endpoint}/openai/deployments/{deployment}/{op}?api-version=..., with the
// resource key in `api-key`, or a Microsoft Entra ID bearer token: fetched by client credentials (`entra`) or
// given as the key itself (`entra-token`), per spec.azure.auth.
import { EntraTokens } from './entra-token.js';
import type { ProviderAdapter, ProviderOp, ProviderTarget } from './provider-adapter.js';
import { openAiWireAdapter } from './openai-adapter.js';

const entra = new EntraTokens();

async function azureAuth(t: ProviderTarget): Promise<Record<string, string>> {
  const auth = t.doc.spec.azure?.auth ?? 'api-key';
  if (auth === 'entra') return { authorization: `Bearer ${await entra.token(t.name, t.key)}` };
  if (auth === 'entra-token') return { authorization: `Bearer ${t.key}` };
  return { 'api-key': t.key };
}

function azureUrl(t: ProviderTarget, op: ProviderOp): URL {
  const az = t.doc.spec.azure;
  const deployment = az?.deployment ?? t.upstreamModel;
  // The endpoint is the resource (https://x.openai.azure.com); a trailing /openai is tolerated.
  const base = t.baseUrl.replace(/\/+$/, '').replace(/\/openai$/, '');
  const url = new URL(
    `${base}/openai/deployments/${encodeURIComponent(deployment)}/${op === 'embed' ? 'embeddings' : 'chat/completions'}`,
  );
  url.searchParams.set('api-version', az?.apiVersion ?? '');
  return url;
}

export const azureOpenAiAdapter: ProviderAdapter = openAiWireAdapter({
  kind: 'azure-openai',
  label: 'Azure OpenAI',
  url: azureUrl,
  auth: azureAuth,
  needsKey: () => true,
  // The deployment in the URL picks the model; Azure ignores (or rejects, on older versions) a body `model`.
  modelInBody: false,
});
