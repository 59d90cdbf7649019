// Calls a provider (OpenAI or Anthropic wire format) over pooled keep-alive HTTP, with a headers timeout,
// retries with backoff on 429/5xx/network faults before any byte is streamed, and a circuit breaker per upstream.
import { Pool } from 'undici';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { GatehouseError } from '../core/errors.js';
import type { ChatRequest, ChatResult, FinishReason, UpstreamEvent, Usage } from './gateway-types.js';

export interface UpstreamTarget {
  /** Catalog model name (for messages). */
  name: string;
  provider: 'openai' | 'anthropic';
  /** Base URL such as https://api.openai.com/v1. */
  baseUrl: string;
  /** Model name sent upstream. */
  upstreamModel: string;
  key: string;
}

export interface UpstreamOptions {
  timeoutMs: number;
  /** Extra attempts after the first, on 429/5xx/network errors, before any byte was streamed. */
  retries: number;
  retryBaseMs: number;
  breakerFailures: number;
  breakerHalfOpenMs: number;
}

/** An upstream refused or failed; `status` is what the provider said (0 for network faults). */
export class UpstreamError extends GatehouseError {
  constructor(
    readonly upstreamStatus: number,
    message: string,
    status = 502,
  ) {
    super('upstream_error', status, message, [], { upstreamStatus });
  }
}

const retryable = (e: Error) =>
  e instanceof UpstreamError && (e.upstreamStatus === 0 || e.upstreamStatus === 429 || e.upstreamStatus >= 500);
const breakerCounts = (e: Error) => e instanceof UpstreamError && (e.upstreamStatus === 0 || e.upstreamStatus >= 500);

export class UpstreamClient {
  private readonly pools = new Map<string, Pool>();
  private readonly policies = new Map<string, IPolicy>();

  constructor(private readonly opts: UpstreamOptions) {}

  private pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p)
      this.pools.set(origin, (p = new Pool(origin, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 })));
    return p;
  }

  private policy(baseUrl: string): IPolicy {
    let p = this.policies.get(baseUrl);
    if (!p) {
      const breaker = circuitBreaker(handleWhen(breakerCounts), {
        halfOpenAfter: this.opts.breakerHalfOpenMs,
        breaker: new ConsecutiveBreaker(this.opts.breakerFailures),
      });
      const again = retry(handleWhen(retryable), {
        maxAttempts: this.opts.retries,
        backoff: new ExponentialBackoff({ initialDelay: this.opts.retryBaseMs, maxDelay: 2000 }),
      });
      this.policies.set(baseUrl, (p = wrap(again, breaker)));
    }
    return p;
  }

  /** Sends the request and resolves once a 2xx arrived (retrying before that); the body is still unread. */
  private async open(t: UpstreamTarget, req: ChatRequest, stream: boolean) {
    const base = t.baseUrl.replace(/\/+$/, '');
    // OpenAI bases carry /v1 by convention; Anthropic's is often the bare host (https://api.anthropic.com).
    const url = new URL(
      base + (t.provider === 'openai' ? '/chat/completions' : base.endsWith('/v1') ? '/messages' : '/v1/messages'),
    );
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (t.provider === 'openai') headers.authorization = `Bearer ${t.key}`;
    else Object.assign(headers, { 'x-api-key': t.key, 'anthropic-version': '2023-06-01' });
    const body = JSON.stringify(t.provider === 'openai' ? openAiBody(t, req, stream) : anthropicBody(t, req, stream));
    try {
      return await this.policy(t.baseUrl).execute(async () => {
        let res;
        try {
          res = await this.pool(url.origin).request({
            path: url.pathname,
            method: 'POST',
            headers,
            body,
            headersTimeout: this.opts.timeoutMs,
            bodyTimeout: this.opts.timeoutMs,
          });
        } catch (err) {
          throw new UpstreamError(
            0,
            `Model '${t.name}': upstream ${url.origin} did not answer (${(err as Error).message}).`,
          );
        }
        if (res.statusCode >= 200 && res.statusCode < 300) return res;
        const text = await res.body.text().catch(() => '');
        throw new UpstreamError(
          res.statusCode,
          `Model '${t.name}': upstream answered ${res.statusCode}: ${upstreamMessage(text)}`,
        );
      });
    } catch (err) {
      if (err instanceof BrokenCircuitError)
        throw new UpstreamError(
          0,
          `Model '${t.name}': upstream ${url.origin} is failing and its circuit breaker is open; retry in ${Math.ceil(this.opts.breakerHalfOpenMs / 1000)}s or use a fallback model.`,
          503,
        );
      throw err;
    }
  }

  async complete(t: UpstreamTarget, req: ChatRequest): Promise<ChatResult> {
    const res = await this.open(t, req, false);
    let data: Record<string, unknown>;
    try {
      data = (await res.body.json()) as Record<string, unknown>;
    } catch (err) {
      throw new UpstreamError(0, `Model '${t.name}': upstream sent an unreadable body (${(err as Error).message}).`);
    }
    return t.provider === 'openai' ? parseOpenAi(data) : parseAnthropic(data);
  }

  /** Resolves once the upstream accepted the stream; iterating may throw UpstreamError if it breaks mid-way. */
  async stream(t: UpstreamTarget, req: ChatRequest): Promise<AsyncIterable<UpstreamEvent>> {
    const res = await this.open(t, req, true);
    return parseSse(t, res.body as AsyncIterable<Buffer>);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pools.values()].map((p) => p.close()));
  }
}

function openAiBody(t: UpstreamTarget, r: ChatRequest, stream: boolean): Record<string, unknown> {
  return {
    model: t.upstreamModel,
    messages: r.messages,
    max_tokens: r.maxTokens,
    temperature: r.temperature,
    top_p: r.topP,
    stop: r.stop,
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  };
}

function anthropicBody(t: UpstreamTarget, r: ChatRequest, stream: boolean): Record<string, unknown> {
  const system = r.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  return {
    model: t.upstreamModel,
    max_tokens: r.maxTokens,
    ...(system ? { system } : {}),
    messages: r.messages.filter((m) => m.role !== 'system'),
    temperature: r.temperature,
    top_p: r.topP,
    stop_sequences: r.stop,
    stream,
  };
}

function upstreamMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: string } };
    if (j.error?.message) return j.error.message.slice(0, 300);
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 300) || '(empty body)';
}

const OPENAI_FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content_filter',
};
const ANTHROPIC_FINISH: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
};

function parseOpenAi(d: Record<string, unknown>): ChatResult {
  const choice = (
    d.choices as Array<{ message?: { content?: string | null }; finish_reason?: string }> | undefined
  )?.[0];
  const u = d.usage as { prompt_tokens?: number; completion_tokens?: number } | undefined;
  return {
    text: choice?.message?.content ?? '',
    finishReason: OPENAI_FINISH[choice?.finish_reason ?? 'stop'] ?? 'stop',
    usage: { inputTokens: u?.prompt_tokens ?? -1, outputTokens: u?.completion_tokens ?? -1 },
  };
}

function parseAnthropic(d: Record<string, unknown>): ChatResult {
  const text = ((d.content as Array<{ type: string; text?: string }> | undefined) ?? [])
    .filter((b) => b.type === 'text')
    .map((b) => b.text ?? '')
    .join('');
  const u = d.usage as { input_tokens?: number; output_tokens?: number } | undefined;
  return {
    text,
    finishReason: ANTHROPIC_FINISH[String(d.stop_reason)] ?? 'stop',
    usage: { inputTokens: u?.input_tokens ?? -1, outputTokens: u?.output_tokens ?? -1 },
  };
}

async function* parseSse(t: UpstreamTarget, body: AsyncIterable<Buffer>): AsyncGenerator<UpstreamEvent> {
  const pending: UpstreamEvent[] = [];
  let finished = false;
  let failure: string | undefined;
  const onEvent = (m: EventSourceMessage) => {
    if (m.data === '[DONE]') {
      finished = true;
      return;
    }
    let d: Record<string, unknown>;
    try {
      d = JSON.parse(m.data) as Record<string, unknown>;
    } catch {
      return; // comments and keep-alives
    }
    if (d.error || m.event === 'error') {
      failure = String((d.error as { message?: string } | undefined)?.message ?? 'upstream stream error');
      return;
    }
    if (t.provider === 'openai') {
      const c = (
        d.choices as Array<{ delta?: { content?: string | null }; finish_reason?: string | null }> | undefined
      )?.[0];
      if (c?.delta?.content) pending.push({ type: 'text', text: c.delta.content });
      if (c?.finish_reason) pending.push({ type: 'finish', finishReason: OPENAI_FINISH[c.finish_reason] ?? 'stop' });
      const u = d.usage as { prompt_tokens?: number; completion_tokens?: number } | null | undefined;
      if (u)
        pending.push({ type: 'usage', usage: { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens } });
    } else {
      if (d.type === 'content_block_delta') {
        const delta = d.delta as { type?: string; text?: string };
        if (delta.type === 'text_delta' && delta.text) pending.push({ type: 'text', text: delta.text });
      } else if (d.type === 'message_start') {
        const u = (d.message as { usage?: { input_tokens?: number } }).usage;
        if (u?.input_tokens !== undefined) pending.push({ type: 'usage', usage: { inputTokens: u.input_tokens } });
      } else if (d.type === 'message_delta') {
        const reason = (d.delta as { stop_reason?: string }).stop_reason;
        if (reason) pending.push({ type: 'finish', finishReason: ANTHROPIC_FINISH[reason] ?? 'stop' });
        const u = d.usage as Partial<{ output_tokens: number }> | undefined;
        if (u?.output_tokens !== undefined)
          pending.push({ type: 'usage', usage: { outputTokens: u.output_tokens } satisfies Partial<Usage> });
      } else if (d.type === 'message_stop') finished = true;
    }
  };
  const parser = createParser({ onEvent });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of body) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (failure) throw new UpstreamError(0, `Model '${t.name}': upstream reported an error mid-stream: ${failure}`);
      yield* coalesced(pending);
    }
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    throw new UpstreamError(0, `Model '${t.name}': the upstream stream broke mid-way (${(err as Error).message}).`);
  }
  yield* coalesced(pending);
  if (!finished) throw new UpstreamError(0, `Model '${t.name}': the upstream stream ended before it finished.`);
}

/** Drains `pending`, merging text deltas that arrived in the same network read: the bytes are already here, so
 *  nothing waits, and DLP scans and client frames happen once per read instead of once per delta. */
function* coalesced(pending: UpstreamEvent[]): Generator<UpstreamEvent> {
  let text = '';
  for (const ev of pending) {
    if (ev.type === 'text') text += ev.text;
    else {
      if (text) yield { type: 'text', text };
      text = '';
      yield ev;
    }
  }
  if (text) yield { type: 'text', text };
  pending.length = 0;
}
