// Test stand-in for Azure OpenAI's wire: deployment URLs with api-version, the `api-key` header or an Entra ID bearer
// token (a fixed one, or one its fake Entra ID endpoint issued for client credentials), Azure's 401/404 bodies, and OpenAI-shaped answers with Azure's extras (prompt_filter_results first in
// streams, content_filter_results). Records every request (path with query, headers, body).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Recorded, ScriptedToolCall } from './recording-provider.js';

const USAGE = { prompt_tokens: 13, completion_tokens: 5, total_tokens: 18 };
const PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)\?(.*)$/;
const FILTERS = { hate: { filtered: false, severity: 'safe' }, violence: { filtered: false, severity: 'safe' } };

export class AzureOpenAiFake {
  url = '';
  readonly received: Recorded[] = [];
  /** Tool calls for the next answer (consumed); otherwise the answer echoes the last user text. */
  toolCalls: ScriptedToolCall[] = [];
  private server: Server | undefined;

  /** Client-credential token requests the fake Entra ID endpoint received, and whether it issued a token. */
  readonly tokenRequests: Array<{ form: Record<string, string>; issued: boolean }> = [];
  private readonly issued = new Set<string>();

  /**
   * `key` is the resource key (api-key header); `entraToken` a bearer token accepted as is; `client` the client
   * credentials its Entra ID endpoint (/{tenant}/oauth2/v2.0/token) exchanges for tokens.
   */
  constructor(
    private readonly key: string,
    private readonly opts: {
      entraToken?: string;
      client?: { tenant: string; clientId: string; secret: string };
      deployments?: string[];
    } = {},
  ) {}

  /** The JSON client credentials Gatehouse takes as the provider key, pointing at this fake's Entra ID endpoint. */
  clientCredentials(secret = this.opts.client?.secret ?? ''): string {
    const c = this.opts.client;
    return JSON.stringify({
      tenant_id: c?.tenant,
      client_id: c?.clientId,
      client_secret: secret,
      authority_host: this.url,
    });
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get last(): Recorded {
    const r = this.received.at(-1);
    if (!r) throw new Error('Azure fake received nothing');
    return r;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const send = (status: number, j: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(j));
    };
    const c = this.opts.client;
    if (c && req.url === `/${c.tenant}/oauth2/v2.0/token`) {
      const form = Object.fromEntries(new URLSearchParams(raw));
      const ok =
        form.grant_type === 'client_credentials' &&
        form.client_id === c.clientId &&
        form.client_secret === c.secret &&
        form.scope === 'https://cognitiveservices.azure.com/.default';
      this.tokenRequests.push({ form, issued: ok });
      if (!ok)
        return send(401, {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.',
        });
      const token = `eyJ0eXAi.entra-${this.issued.size + 1}`;
      this.issued.add(token);
      return send(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
    }
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    this.received.push({ path: req.url ?? '', headers: { ...req.headers }, body });
    const bearer = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    const keyOk = req.headers['api-key'] === this.key;
    const tokenOk = (this.opts.entraToken !== undefined && bearer === this.opts.entraToken) || this.issued.has(bearer);
    if (!keyOk && !tokenOk)
      return send(401, {
        error: {
          code: '401',
          message:
            'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
        },
      });
    const m = PATH.exec(req.url ?? '');
    const version = m ? new URLSearchParams(m[3]).get('api-version') : null;
    if (!m || !version) return send(404, { error: { code: '404', message: 'Resource not found' } });
    if (!(this.opts.deployments ?? ['gpt-4o-prod']).includes(decodeURIComponent(m[1])))
      return send(404, {
        error: {
          code: 'DeploymentNotFound',
          message: 'The API deployment for this resource does not exist.',
        },
      });
    if (m[2] === 'embeddings') {
      const inputs = Array.isArray(body.input) ? body.input.map(String) : [String(body.input)];
      const data = inputs.map((s, index) => {
        const v = [0.25, index, s.length];
        const embedding =
          body.encoding_format === 'base64' ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v;
        return { object: 'embedding', index, embedding };
      });
      return send(200, {
        object: 'list',
        data,
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 4, total_tokens: 4 },
      });
    }
    const calls = this.toolCalls.splice(0);
    const text = calls.length ? '' : `Azure: ${lastUser(body)}`;
    const model = 'gpt-4o-2024-08-06';
    const toolCalls = calls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: JSON.stringify(c.input) },
    }));
    const finish = calls.length ? 'tool_calls' : 'stop';
    if (!body.stream)
      return send(200, {
        id: 'chatcmpl-az',
        object: 'chat.completion',
        created: 1,
        model,
        prompt_filter_results: [{ prompt_index: 0, content_filter_results: FILTERS }],
        choices: [
          {
            index: 0,
            finish_reason: finish,
            message: { role: 'assistant', content: text || null, ...(calls.length ? { tool_calls: toolCalls } : {}) },
            content_filter_results: FILTERS,
          },
        ],
        usage: USAGE,
      });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const w = (j: unknown) => res.write(`data: ${JSON.stringify(j)}\n\n`);
    // Azure's first chunk carries only the prompt filter results (no choices, empty model).
    w({
      id: '',
      object: '',
      created: 0,
      model: '',
      choices: [],
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: FILTERS }],
    });
    const chunk = (delta: unknown, finish_reason: string | null) =>
      w({
        id: 'chatcmpl-az',
        object: 'chat.completion.chunk',
        created: 1,
        model,
        choices: [{ index: 0, delta, finish_reason, content_filter_results: {} }],
      });
    for (const p of text.match(/[\s\S]{1,4}/g) ?? []) chunk({ content: p }, null);
    toolCalls.forEach((c, index) => chunk({ tool_calls: [{ index, ...c }] }, null));
    chunk({}, finish);
    const opts = body.stream_options as { include_usage?: boolean } | undefined;
    if (opts?.include_usage)
      w({ id: 'chatcmpl-az', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: USAGE });
    res.end('data: [DONE]\n\n');
  }
}

function lastUser(body: Record<string, unknown>): string {
  const msgs = (body.messages as Array<{ role?: string; content?: unknown }> | undefined) ?? [];
  const u = [...msgs].reverse().find((m) => m.role === 'user');
  return typeof u?.content === 'string' ? u.content : JSON.stringify(u?.content ?? '');
}
