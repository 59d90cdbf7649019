// The demo provider (`gatehouse demo upstream`), also the tests' stand-in: a real HTTP fake of the OpenAI Chat Completions and Anthropic Messages APIs on 127.0.0.1, streaming included,
// for tests and the benchmark (a paid provider cannot run here). Scriptable: reply text, failures, broken streams.
// OpenAI chat requests offering `tools` get a tool call back; `/v1/embeddings` answers deterministic vectors.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countTokens, decode, encode } from 'gpt-tokenizer';
import { chosenTool, embeddingsAnswer, toolCallCompletion, toolCallFrames } from './fake-extra-answers.js';

export interface RecordedRequest {
  path: string;
  /** The bearer token or x-api-key the gateway sent (must be the provider key, never the app key). */
  key: string | undefined;
  body: Record<string, unknown>;
}

export interface FakeUpstreamOptions {
  /** Required provider key; requests without it get a 401 in the provider's shape. */
  apiKey?: string;
  /** Characters per streamed chunk (small values split values such as SSNs across chunks). */
  chunkSize?: number;
  /** Keep every request body (off in the benchmark to keep the fake cheap). */
  record?: boolean;
}

type Msg = { role?: string; content?: unknown };

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((p) => (p && typeof p === 'object' && 'text' in p ? String((p as { text: unknown }).text) : ''))
      .join('');
  return '';
}

export class FakeUpstream {
  url = '';
  readonly requests: RecordedRequest[] = [];
  /** Reply text; default: `Echo: <last user message>`. */
  reply: string | ((lastUser: string) => string) = (u) => `Echo: ${u}`;
  /** Statuses returned (one per request) before serving normally, e.g. [503, 429]. */
  failNext: number[] = [];
  /** Breaks the connection after this many streamed chunks (mid-stream fault). */
  breakStreamAfterChunks: number | undefined;
  /** Misbehave like a provider that ignores max_tokens (to test the gateway's own cap on the stream). */
  ignoreMaxTokens = false;
  /** Pause between streamed chunks, so they reach the gateway in separate network reads (0 = write at once). */
  chunkDelayMs = 0;
  /** Arguments of the tool call answered to an OpenAI chat request that offers `tools` (tool_choice `none`: text). */
  toolArguments: (lastUser: string, tool: string) => Record<string, unknown> = (u) => ({ query: u });
  /** Length of the vectors `/v1/embeddings` answers when the request names no `dimensions`. */
  embeddingDimensions = 8;
  private server: Server | undefined;
  private readonly chunkSize: number;

  constructor(private readonly opts: FakeUpstreamOptions = {}) {
    this.chunkSize = opts.chunkSize ?? 8;
  }

  /** Base URL to put in a catalog Model entry (`.../v1`). */
  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const anthropic = req.url === '/v1/messages';
    const embeddings = req.url === '/v1/embeddings';
    if (req.method !== 'POST' || (req.url !== '/v1/chat/completions' && !anthropic && !embeddings))
      return this.error(res, 404, anthropic, `no route ${req.url}`);
    const auth =
      req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? (req.headers['x-api-key'] as string | undefined);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    if (this.opts.record !== false) this.requests.push({ path: req.url ?? '', key: auth, body });
    if (this.opts.apiKey && auth !== this.opts.apiKey) return this.error(res, 401, anthropic, 'invalid provider key');
    const fail = this.failNext.shift();
    if (fail) return this.error(res, fail, anthropic, `scripted failure ${fail}`);
    if (embeddings) {
      res.setHeader('content-type', 'application/json');
      return void res.end(JSON.stringify(embeddingsAnswer(body, this.embeddingDimensions)));
    }

    const messages = (body.messages as Msg[]) ?? [];
    const lastUser = textOf([...messages].reverse().find((m) => m.role === 'user')?.content);
    const prompt = messages.map((m) => textOf(m.content)).join('\n') + (anthropic ? textOf(body.system) : '');
    const model = String(body.model);
    const tool = anthropic ? undefined : chosenTool(body);
    if (tool) {
      const call = { id: 'call_fake_0', name: tool, arguments: JSON.stringify(this.toolArguments(lastUser, tool)) };
      const inTokens = countTokens(prompt);
      const includeUsage = Boolean((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage);
      if (!body.stream) {
        res.setHeader('content-type', 'application/json');
        return void res.end(JSON.stringify(toolCallCompletion(model, call, inTokens)));
      }
      const { head, deltas, tail } = toolCallFrames(model, call, inTokens, this.chunkSize, includeUsage);
      return this.writeStream(res, head, deltas, tail);
    }
    let text = typeof this.reply === 'function' ? this.reply(lastUser) : this.reply;
    let finish = 'stop';
    const max = this.ignoreMaxTokens ? Infinity : Number(body.max_tokens ?? body.max_completion_tokens ?? Infinity);
    const toks = encode(text);
    if (toks.length > max) {
      text = decode(toks.slice(0, max));
      finish = 'length';
    }
    const usage = { in: countTokens(prompt), out: Math.min(toks.length, max) };
    if (body.stream)
      return this.stream(
        res,
        anthropic,
        model,
        text,
        finish,
        usage,
        Boolean((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage),
      );
    res.setHeader('content-type', 'application/json');
    if (anthropic) {
      res.end(
        JSON.stringify({
          id: 'msg_fake',
          type: 'message',
          role: 'assistant',
          model,
          content: [{ type: 'text', text }],
          stop_reason: finish === 'length' ? 'max_tokens' : 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: usage.in, output_tokens: usage.out },
        }),
      );
    } else {
      res.end(
        JSON.stringify({
          id: 'chatcmpl-fake',
          object: 'chat.completion',
          created: 1,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }],
          usage: { prompt_tokens: usage.in, completion_tokens: usage.out, total_tokens: usage.in + usage.out },
        }),
      );
    }
  }

  private stream(
    res: ServerResponse,
    anthropic: boolean,
    model: string,
    text: string,
    finish: string,
    usage: { in: number; out: number },
    includeUsage: boolean,
  ): void {
    const parts: string[] = [];
    for (let i = 0; i < text.length; i += this.chunkSize) parts.push(text.slice(i, i + this.chunkSize));
    const out: string[] = [];
    const ev = (name: string, data: unknown) => out.push(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    if (anthropic) {
      ev('message_start', {
        type: 'message_start',
        message: {
          id: 'msg_fake',
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: usage.in, output_tokens: 1 },
        },
      });
      ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    }
    const head = out.splice(0).join('');
    const deltas = parts.map((p) =>
      anthropic
        ? `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } })}\n\n`
        : `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] })}\n\n`,
    );
    if (anthropic) {
      ev('content_block_stop', { type: 'content_block_stop', index: 0 });
      ev('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: finish === 'length' ? 'max_tokens' : 'end_turn', stop_sequence: null },
        usage: { output_tokens: usage.out },
      });
      ev('message_stop', { type: 'message_stop' });
    } else {
      out.push(
        `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: {}, finish_reason: finish }] })}\n\n`,
      );
      if (includeUsage)
        out.push(
          `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: usage.in, completion_tokens: usage.out, total_tokens: usage.in + usage.out } })}\n\n`,
        );
      out.push('data: [DONE]\n\n');
    }
    this.writeStream(res, head, deltas, out.join(''));
  }

  /** Writes a stream's frames as a provider would: the head, each delta (paced by chunkDelayMs), then the tail. */
  private writeStream(res: ServerResponse, head: string, deltas: string[], tail: string): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const brk = this.breakStreamAfterChunks;
    if (brk !== undefined) {
      res.write(head + deltas.slice(0, brk).join(''));
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    }
    // Separate writes so the client sees several network chunks, as with a real provider.
    res.write(head);
    if (this.chunkDelayMs > 0) {
      const delay = this.chunkDelayMs;
      void (async () => {
        for (const d of deltas) {
          await new Promise((r) => setTimeout(r, delay));
          res.write(d);
        }
        res.end(tail);
      })();
      return;
    }
    for (const d of deltas) res.write(d);
    res.end(tail);
  }

  private error(res: ServerResponse, status: number, anthropic: boolean, message: string): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        anthropic
          ? { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message } }
          : { error: { message, type: 'server_error', code: null } },
      ),
    );
  }
}
