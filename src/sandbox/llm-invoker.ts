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
  /** The decision the invoker itself made, when it governs (the gateway does). */
  decisionId?: string;
}

/** Who is calling. With `decision` set the call is already governed: apply its obligations, don't govern again. */
export interface LlmCaller {
  user: string;
  app: string;
  appVersion: number;
  runId: string;
  traceId: string;
  /** The run's short-lived token (bound to app, version, user, run). */
  token: string;
  /** The bridge's decision, absent when the invoker governs itself. */
  decision?: Decision;
}

export interface LlmInvoker {
  /**
   * True when the invoker runs govern(model.invoke) itself (the gateway's invokeModel does, with budgets and DLP):
   * the bridge then checks the manifest only and does not govern the call a second time.
   */
  readonly governsItself?: boolean;
  chat(request: LlmChatRequest, caller: LlmCaller): Promise<LlmChatResult>;
}
