// Test stand-in for OpenAI and Anthropic that records every request (path, headers, body) and answers from a
// script: text, tool calls, errors with headers, hangs; JSON and streaming (tool-call arguments split into deltas).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

export interface ScriptedToolCall {
  id: string;
  name: string;
  /** Arguments as an object (Anthropic `input`; JSON-encoded for OpenAI). */
  input: Record<string, unknown>;
}

/** One scripted answer; unset fields mean "echo the last user text". */
export interface Scripted {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** Answer with this status and a provider-shaped error body. */
  status?: number;
  message?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (a hung provider). */
  hangMs?: number;
  /** Extra top-level fields on an OpenAI JSON answer (system_fingerprint, ...). */
  extra?: Record<string, unknown>;
}

const USAGE = { in: 11, out: 7 };

export class RecordingProvider {
  url = '';
  readonly received: Recorded[] = [];
  /** Answers consumed one per request; when empty, the default answer (echo). */
  script: Scripted[] = [];
  /** When set, a request without this key (Bearer, or x-api-key on /v1/messages) gets the provider's 401. */
  requireKey: string | undefined;
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get last(): Recorded {
    const r = this.received.at(-1);
    if (!r) throw new Error('the provider received nothing');
    return r;
  }

  reset(): void {
    this.received.length = 0;
    this.script = [];
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    this.received.push({ path: req.url ?? '', headers: { ...req.headers }, body });
    const anthropic = req.url === '/v1/messages';
    const given = anthropic ? req.headers['x-api-key'] : req.headers.authorization?.replace(/^Bearer /, '');
    const s: Scripted =
      this.requireKey !== undefined && given !== this.requireKey
        ? { status: 401, message: 'Incorrect API key provided.' }
        : (this.script.shift() ?? {});
    if (s.hangMs) await new Promise((r) => setTimeout(r, s.hangMs));
    if (res.destroyed) return;
    if (s.status && s.status >= 300) {
      res.writeHead(s.status, { 'content-type': 'application/json', ...s.headers });
      const message = s.message ?? `scripted ${s.status}`;
      res.end(
        JSON.stringify(
          anthropic
            ? { type: 'error', error: { type: 'invalid_request_error', message } }
            : { error: { message, type: 'invalid_request_error', param: 'scripted', code: 'scripted' } },
        ),
      );
      return;
    }
    if (req.url === '/v1/embeddings') return embeddings(res, body);
    const text = s.text ?? (s.toolCalls ? '' : `Echo: ${lastUserText(body)}`);
    const calls = s.toolCalls ?? [];
    const model = String(body.model);
    if (body.stream) return this.stream(res, anthropic, model, text, calls);
    res.writeHead(200, { 'content-type': 'application/json', ...s.headers });
    if (anthropic) {
      const content: unknown[] = [];
      if (text) content.push({ type: 'text', text });
      for (const c of calls) content.push({ type: 'tool_use', id: c.id, name: c.name, input: c.input });
      res.end(
        JSON.stringify({
          id: 'msg_rec',
          type: 'message',
          role: 'assistant',
          model,
          content,
          stop_reason: calls.length ? 'tool_use' : 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: USAGE.in, output_tokens: USAGE.out },
        }),
      );
      return;
    }
    const message: Record<string, unknown> = { role: 'assistant', content: calls.length && !text ? null : text };
    if (calls.length) message.tool_calls = calls.map(openAiCall);
    res.end(
      JSON.stringify({
        id: 'chatcmpl-rec',
        object: 'chat.completion',
        created: 1,
        model,
        choices: [{ index: 0, message, finish_reason: calls.length ? 'tool_calls' : 'stop', logprobs: null }],
        usage: { prompt_tokens: USAGE.in, completion_tokens: USAGE.out, total_tokens: USAGE.in + USAGE.out },
        ...s.extra,
      }),
    );
  }

  private stream(res: ServerResponse, anthropic: boolean, model: string, text: string, calls: ScriptedToolCall[]) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const parts = (s: string) => (s ? (s.match(/[\s\S]{1,5}/g) ?? []) : []);
    if (anthropic) {
      const ev = (type: string, d: Record<string, unknown>) =>
        res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...d })}\n\n`);
      ev('message_start', {
        message: {
          id: 'msg_rec',
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: USAGE.in, output_tokens: 1 },
        },
      });
      let index = 0;
      if (text) {
        ev('content_block_start', { index, content_block: { type: 'text', text: '' } });
        for (const p of parts(text)) ev('content_block_delta', { index, delta: { type: 'text_delta', text: p } });
        ev('content_block_stop', { index: index++ });
      }
      for (const c of calls) {
        ev('content_block_start', { index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } });
        for (const p of parts(JSON.stringify(c.input)))
          ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: p } });
        ev('content_block_stop', { index: index++ });
      }
      ev('message_delta', {
        delta: { stop_reason: calls.length ? 'tool_use' : 'end_turn', stop_sequence: null },
        usage: { output_tokens: USAGE.out },
      });
      ev('message_stop', {});
      res.end();
      return;
    }
    const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
      res.write(
        `data: ${JSON.stringify({ id: 'chatcmpl-rec', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`,
      );
    chunk({ role: 'assistant', content: '' }, null);
    for (const p of parts(text)) chunk({ content: p }, null);
    calls.forEach((c, i) => {
      chunk(
        { tool_calls: [{ index: i, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] },
        null,
      );
      for (const p of parts(JSON.stringify(c.input)))
        chunk({ tool_calls: [{ index: i, function: { arguments: p } }] }, null);
    });
    chunk({}, calls.length ? 'tool_calls' : 'stop');
    res.write(
      `data: ${JSON.stringify({ id: 'chatcmpl-rec', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: USAGE.in, completion_tokens: USAGE.out, total_tokens: USAGE.in + USAGE.out } })}\n\n`,
    );
    res.end('data: [DONE]\n\n');
  }
}

function openAiCall(c: ScriptedToolCall) {
  return { id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input) } };
}

function lastUserText(body: Record<string, unknown>): string {
  const msgs = (body.messages as Array<{ role?: string; content?: unknown }> | undefined) ?? [];
  const u = [...msgs].reverse().find((m) => m.role === 'user');
  if (!u) return '';
  if (typeof u.content === 'string') return u.content;
  if (Array.isArray(u.content))
    return u.content.map((p: { type?: string; text?: unknown }) => (p.type === 'text' ? String(p.text) : '')).join('');
  return '';
}

/** One vector [0.5, index, length] per input, as floats or base64 float32 (what the SDK asks for by default). */
function embeddings(res: ServerResponse, body: Record<string, unknown>): void {
  const inputs = Array.isArray(body.input) ? body.input.map(String) : [String(body.input)];
  const data = inputs.map((s, index) => {
    const v = [0.5, index, s.length];
    const embedding =
      body.encoding_format === 'base64' ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v;
    return { object: 'embedding', index, embedding };
  });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ object: 'list', data, model: body.model, usage: { prompt_tokens: 5, total_tokens: 5 } }));
}
