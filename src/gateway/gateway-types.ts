// The gateway's internal, protocol-neutral shapes: a chat request, its result, stream events, and the caller.
import type { AppVersion } from '../apps/manifest-schema.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One chat call, whichever surface (OpenAI, Anthropic, in-process) it came through. */
export interface ChatRequest {
  /** Catalog model name. */
  model: string;
  messages: ChatMessage[];
  /** Requested output cap; the gateway applies manifest and policy caps on top. */
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  stream: boolean;
}

export type FinishReason = 'stop' | 'length' | 'content_filter';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface ChatResult {
  text: string;
  finishReason: FinishReason;
  usage: Usage;
}

/** What a provider stream yields, already parsed out of the upstream's SSE. */
export type UpstreamEvent =
  | { type: 'text'; text: string }
  | { type: 'finish'; finishReason: FinishReason }
  | { type: 'usage'; usage: Partial<Usage> };

/** What the gateway streams to a surface encoder. */
export type StreamEvent =
  | { type: 'text'; text: string }
  | { type: 'done'; finishReason: FinishReason; usage: Usage; costUsd: number }
  | { type: 'error'; status: number; code: string; message: string };

/** Who is calling, resolved from an app key or a session token. */
export interface Caller {
  app: string;
  version: AppVersion;
  user: string;
  session?: string;
  /** How the caller authenticated: app key id, or `session`, or `internal` (in-process). */
  via: string;
  runId?: string;
}
