// What govern() sees of one model call: who calls, the model, and the request facts policies read (tokens, cost
// estimate, temperature, stream, provider, tool names and count, images, JSON mode).
import type { GovernInput } from '../core/governance.js';
import type { CallFacts } from './call-records.js';
import type { Caller, ChatRequest } from './gateway-types.js';
import type { ProviderKind } from './providers/provider-adapter.js';

export interface ModelCallFacts {
  caller: Caller;
  req: ChatRequest;
  facts: CallFacts;
  /** The catalog provider (openai, anthropic, azure-openai, gemini, ...). */
  provider: ProviderKind;
  tokensIn: number;
  estOut: number;
  estUsd: number;
  tools: string[];
}

export function modelCallInput({
  caller,
  req,
  facts,
  provider,
  tokensIn,
  estOut,
  estUsd,
  tools,
}: ModelCallFacts): GovernInput {
  const f = facts;
  return {
    action: 'model.invoke',
    subject: callerSubject(caller),
    resource: { type: 'model', id: req.model },
    request: {
      inputTokens: tokensIn,
      maxOutputTokens: estOut,
      temperature: req.temperature ?? null,
      estimatedCostUsd: estUsd,
      costUsd: estUsd,
      stream: req.stream,
      provider,
      requestedModel: f.requestedModel,
      tools,
      toolCount: tools.length,
      hasImages: req.hasImages === true,
      jsonMode: req.jsonMode === true,
    },
    traceId: f.traceId,
  };
}

/** The govern() subject of a gateway caller (the same for a call and for a refusal made before its input). */
export function callerSubject(caller: Caller): GovernInput['subject'] {
  return {
    user: caller.user,
    app: caller.app,
    appVersion: caller.version.version,
    session: caller.session,
    run: caller.runId,
    roles: [],
    groups: [],
  };
}
