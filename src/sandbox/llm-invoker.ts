// The in-process model call the bridge delegates ctx.llm.chat to; the gateway provides the implementation.
import type { Decision } from '../core/governance.js';

export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LlmChatRequest {
  model: string;
  messages: LlmMessage[];
  temperature?: number;
  max_tokens?: number;
}

export interface LlmChatResult {
  /** The assistant's reply text (already DLP-inspected by the invoker). */
  content: string;
  model: string;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
}

/** Who is calling, already governed: the invoker applies `decision.obligations` and must not govern model.invoke again. */
export interface LlmCaller {
  user: string;
  app: string;
  appVersion: number;
  runId: string;
  traceId: string;
  /** The run's short-lived token (bound to app, version, user, run). */
  token: string;
  decision: Decision;
}

export interface LlmInvoker {
  chat(request: LlmChatRequest, caller: LlmCaller): Promise<LlmChatResult>;
}
