// The compatibility suite's setup: Gatehouse (gateway harness) in front of a recording provider that speaks both
// protocols, two catalog models on it (OpenAI and Anthropic), an app declaring them with tools, and both official SDKs.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import {
  PROVIDER_KEY,
  appVersion,
  modelDoc,
  startHarness,
  type Harness,
} from '../../src/gateway/testing/gateway-harness.js';
import { RecordingProvider } from '../../src/gateway/testing/recording-provider.js';
import type { GatewayConfig } from '../../src/gateway/gateway-config.js';

export interface Compat {
  h: Harness;
  provider: RecordingProvider;
  key: string;
  openai(opts?: { maxRetries?: number; timeout?: number }): OpenAI;
  anthropic(opts?: { maxRetries?: number; timeout?: number }): Anthropic;
  close(): Promise<void>;
}

/** `gpt` is an OpenAI model, `claude` an Anthropic one; both on the recording provider. */
export const GPT = 'rec-gpt';
export const CLAUDE = 'rec-claude';
export const TOOLS = ['get_weather', 'search_*'];

export async function startCompat(config: Partial<GatewayConfig> = {}): Promise<Compat> {
  const provider = await new RecordingProvider().start();
  const h = await startHarness({
    config,
    env: { GATEHOUSE_MODEL_KEY_REC_GPT: PROVIDER_KEY, GATEHOUSE_MODEL_KEY_REC_CLAUDE: PROVIDER_KEY },
  });
  h.catalog.put(
    modelDoc(GPT, 'openai', `${provider.url}/v1`, { upstreamModel: 'gpt-4o-mini', modalities: ['text', 'image'] }),
  );
  h.catalog.put(modelDoc(CLAUDE, 'anthropic', provider.url, { upstreamModel: 'claude-3-5-haiku' }));
  h.apps.put(
    appVersion('compat', {
      models: [
        { id: GPT, tools: TOOLS },
        { id: CLAUDE, tools: TOOLS },
      ],
    }),
  );
  const key = await h.key('compat');
  return {
    h,
    provider,
    key,
    openai: (o = {}) =>
      new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: o.maxRetries ?? 0, timeout: o.timeout }),
    anthropic: (o = {}) =>
      new Anthropic({ apiKey: key, baseURL: h.url, maxRetries: o.maxRetries ?? 0, timeout: o.timeout }),
    async close() {
      await h.close();
      await provider.close();
    },
  };
}
