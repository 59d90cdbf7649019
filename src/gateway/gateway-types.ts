// The gateway's internal, protocol-neutral shapes: a chat request, its result, stream events, and the caller.
import type { AppVersion } from '../apps/manifest-schema.js';
import type { KeyGrant } from './key-policy.js';

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
  /** The wire protocol the caller spoke, and its body (validated, DLP applied by the invoker); absent for
   *  in-process calls, which send `messages` only. Governed fields (model, max tokens, temperature, stream) are
   *  set from the fields above when the upstream body is built. */
  protocol?: Protocol;
  body?: Record<string, unknown>;
  /** Names of the tools the caller offers the model (policy input `request.tools`). */
  tools?: string[];
  /** The caller asked for a JSON answer (response_format json_object / json_schema). */
  jsonMode?: boolean;
  /** The caller sent image parts (policy input `request.hasImages`). */
  hasImages?: boolean;
}

export type Protocol = 'openai' | 'anthropic';

/** A tool call the model made; `arguments` is the JSON text (OpenAI's form; Anthropic's `input` encoded). */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface ChatResult {
  text: string;
  finishReason: FinishReason;
  usage: Usage;
  toolCalls?: ToolCall[];
  /** Same-protocol OpenAI answers: fields passed back as the provider sent them (system_fingerprint, logprobs). */
  passthrough?: Record<string, unknown>;
}

/** What a provider stream yields, already parsed out of the upstream's SSE. */
export type UpstreamEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; call: ToolCall }
  | { type: 'finish'; finishReason: FinishReason }
  | { type: 'usage'; usage: Partial<Usage> };

/** What the gateway streams to a surface encoder. */
export type StreamEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; index: number; call: ToolCall }
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
  /** The gateway key the call came with: its limits and metadata (team, cost center), never its secret. */
  key?: KeyGrant;
}
