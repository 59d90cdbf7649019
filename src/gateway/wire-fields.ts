// What happens to every documented request field of OpenAI Chat Completions and Anthropic Messages on the way
// to a provider of the other protocol: translated, or refused with the reason (docs/gateway.md prints this table).
// Same-protocol calls forward every field (known or not) after governance; ALWAYS_REFUSED lists the few refused there too.
import { InvalidInputError } from '../core/errors.js';
import type { Protocol } from './gateway-types.js';

/** `translate` fields are mapped by wire-translate.ts; a string is why the field is refused across protocols. */
export type CrossRule = 'translate' | string;

const NO_ANTHROPIC = 'Anthropic Messages has no equivalent; remove it or call an OpenAI model';
const NO_OPENAI = 'OpenAI Chat Completions has no equivalent; remove it or call an Anthropic model';

export const OPENAI_FIELDS: Record<string, CrossRule> = {
  model: 'translate',
  messages: 'translate',
  max_tokens: 'translate',
  max_completion_tokens: 'translate',
  temperature: 'translate',
  top_p: 'translate',
  stop: 'translate',
  stream: 'translate',
  stream_options: 'translate',
  user: 'translate',
  safety_identifier: 'translate',
  n: 'translate',
  tools: 'translate',
  tool_choice: 'translate',
  parallel_tool_calls: 'translate',
  response_format: 'translate',
  audio: NO_ANTHROPIC,
  frequency_penalty: NO_ANTHROPIC,
  presence_penalty: NO_ANTHROPIC,
  logit_bias: NO_ANTHROPIC,
  logprobs: NO_ANTHROPIC,
  top_logprobs: NO_ANTHROPIC,
  metadata: 'OpenAI stored-completion metadata has no Anthropic equivalent; remove it',
  modalities: NO_ANTHROPIC,
  prediction: NO_ANTHROPIC,
  prompt_cache_key: 'Anthropic caches with cache_control blocks, not a key; remove it',
  reasoning_effort: 'Anthropic extended thinking is configured differently; remove it or call an OpenAI model',
  seed: NO_ANTHROPIC,
  service_tier: 'service tiers differ between providers; remove it',
  store: NO_ANTHROPIC,
  verbosity: NO_ANTHROPIC,
  web_search_options: NO_ANTHROPIC,
  functions: 'legacy functions are not governed; send tools instead',
  function_call: 'legacy function_call is not governed; send tool_choice instead',
};

export const ANTHROPIC_FIELDS: Record<string, CrossRule> = {
  model: 'translate',
  messages: 'translate',
  max_tokens: 'translate',
  system: 'translate',
  temperature: 'translate',
  top_p: 'translate',
  stop_sequences: 'translate',
  stream: 'translate',
  metadata: 'translate',
  tools: 'translate',
  tool_choice: 'translate',
  top_k: NO_OPENAI,
  thinking: NO_OPENAI,
  container: NO_OPENAI,
  mcp_servers: NO_OPENAI,
  service_tier: 'service tiers differ between providers; remove it',
  context_management: NO_OPENAI,
};

/** Fields refused even on same-protocol paths, with why. */
const ALWAYS_REFUSED: Record<Protocol, Record<string, string>> = {
  openai: {
    functions: OPENAI_FIELDS.functions,
    function_call: OPENAI_FIELDS.function_call,
    audio: 'audio output cannot be scanned by output DLP; ask for text',
  },
  anthropic: {
    mcp_servers:
      'remote MCP servers are reached by the provider, outside the manifest tool scope and egress rules; offer them as declared tools',
  },
};

/**
 * Throws a 400 naming the first field that cannot reach a `target` provider from a `from` caller. Null values
 * count as absent (SDKs send them for "unset").
 */
export function checkFields(from: Protocol, target: Protocol, body: Record<string, unknown>): void {
  for (const [field, value] of Object.entries(body)) {
    if (value === null || value === undefined) continue;
    const always = ALWAYS_REFUSED[from][field];
    if (always) refuse(field, always);
    if (from === target) continue;
    const rule = (from === 'openai' ? OPENAI_FIELDS : ANTHROPIC_FIELDS)[field];
    if (rule === undefined)
      refuse(
        field,
        `it is not a documented ${from === 'openai' ? 'OpenAI Chat Completions' : 'Anthropic Messages'} field, and this model's provider speaks the other protocol, so it cannot be translated`,
      );
    if (rule !== 'translate') refuse(field, rule);
  }
}

/** A 400 naming the field and why it cannot be sent. */
export function refuse(field: string, why: string): never {
  throw new InvalidInputError(`Request field '${field}' cannot be sent: ${why}.`, [{ path: field, message: why }], {
    field,
  });
}
