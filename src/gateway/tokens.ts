// Token counting and pricing: gpt-tokenizer (o200k_base) for every model, scaled by the provider adapter's factor
// (Anthropic's tokenizer is not public), and priced by the adapter's pricing hook.
import { countTokens } from 'gpt-tokenizer';
import type { ModelDoc } from '../catalog/catalog-schema.js';
import type { ChatMessage } from './gateway-types.js';
import type { ProviderKind } from './providers/provider-adapter.js';
import { adapterFor, adapterOf } from './providers/provider-registry.js';

// Claude's tokenizer is not public; o200k_base under-counts English prose for Claude by roughly 10-20%,
// so for Anthropic models the count is scaled up (configurable) to keep caps and budgets conservative.
export const DEFAULT_ANTHROPIC_FACTOR = 1.2;

/** Chat input tokens: content tokens plus OpenAI's per-message framing (3 per message + 3 for the reply). */
export function countInputTokens(
  messages: readonly ChatMessage[],
  provider: ProviderKind,
  anthropicFactor = DEFAULT_ANTHROPIC_FACTOR,
): number {
  let n = 3;
  for (const m of messages) n += 3 + countTokens(m.content);
  return scaled(n, provider, anthropicFactor);
}

export function countTextTokens(
  text: string,
  provider: ProviderKind,
  anthropicFactor = DEFAULT_ANTHROPIC_FACTOR,
): number {
  return scaled(countTokens(text), provider, anthropicFactor);
}

function scaled(n: number, provider: ProviderKind, anthropicFactor: number): number {
  const f = adapterFor(provider).tokenScale(anthropicFactor);
  return f === 1 ? n : Math.ceil(n * f);
}

/** Cost in nano-dollars (integers, so counters add up exactly in memory and in Redis). */
export function costNanos(model: ModelDoc, inputTokens: number, outputTokens: number): number {
  return adapterOf(model).priceNanos(model, inputTokens, outputTokens);
}

export const nanosToUsd = (n: number): number => n / 1e9;
export const usdToNanos = (usd: number): number => Math.floor(usd * 1e9);

/** The largest output that keeps the cost within `capNanos`, or 0 when even the input does not fit. */
export function maxOutputWithin(model: ModelDoc, inputTokens: number, capNanos: number): number {
  const per = model.spec.pricing.outputPerMTok * 1000;
  const left = capNanos - inputTokens * model.spec.pricing.inputPerMTok * 1000;
  if (left <= 0) return 0;
  return per === 0 ? Number.MAX_SAFE_INTEGER : Math.floor(left / per);
}
