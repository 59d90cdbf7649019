// Adapts the model gateway's in-process invokeModel() to the LlmInvoker the bridge uses for ctx.llm.chat.
import type { LlmInvoker } from './llm-invoker.js';

/** The slice of the gateway's invokeModel() the sandbox needs (kept structural so the sandbox doesn't import the gateway). */
export type InvokeModelFn = (input: {
  app: string;
  appVersion?: number;
  user: string;
  runId?: string;
  traceId?: string;
  model: string;
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  maxTokens?: number;
  temperature?: number;
}) => Promise<{
  text: string;
  model: string;
  usage: { inputTokens: number; outputTokens: number };
  costUsd: number;
  decisionId: string;
}>;

export function llmFromGateway(invokeModel: InvokeModelFn): LlmInvoker {
  return {
    governsItself: true,
    async chat(req, caller) {
      const r = await invokeModel({
        app: caller.app,
        appVersion: caller.appVersion,
        user: caller.user,
        runId: caller.runId,
        traceId: caller.traceId,
        model: req.model,
        messages: req.messages,
        maxTokens: req.max_tokens,
        temperature: req.temperature,
      });
      return {
        content: r.text,
        model: r.model,
        usage: { inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens, costUsd: r.costUsd },
        decisionId: r.decisionId,
      };
    },
  };
}
