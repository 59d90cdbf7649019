// Test stand-in for Google's model APIs: the Gemini API (x-goog-api-key; a bad key gets Google's 400 API_KEY_INVALID),
// Vertex AI (bearer tokens it issued), and an OAuth token endpoint that verifies the service account's signed JWT
// (JWT-bearer grant). Answers generateContent (JSON and alt=sse), batchEmbedContents and Vertex predict; records all.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import type { Recorded, ScriptedToolCall } from './recording-provider.js';

const USAGE = { promptTokenCount: 17, candidatesTokenCount: 6, totalTokenCount: 23 };
const GEMINI = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)(\?alt=sse)?$/;
const VERTEX =
  /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent|predict)(\?alt=sse)?$/;

type Obj = Record<string, unknown>;

export class GoogleFake {
  url = '';
  readonly received: Recorded[] = [];
  /** Token requests the OAuth endpoint received (grant type and the verified JWT claims, or the refusal). */
  readonly tokenRequests: Array<{ grantType: string | null; claims?: Obj; refused?: string }> = [];
  /** Tool calls for the next answer (consumed); otherwise the answer echoes the last user text. */
  toolCalls: ScriptedToolCall[] = [];
  /** Lifetime of issued access tokens, in seconds. */
  tokenTtl = 3600;
  private readonly issued = new Set<string>();
  private readonly publicKey: KeyObject;
  private readonly privatePem: string;
  private server: Server | undefined;

  constructor(readonly apiKey: string) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.publicKey = publicKey;
    this.privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** A service-account JSON whose key this fake's token endpoint accepts (or, with `foreignKey`, one it refuses). */
  serviceAccount(opts: { foreignKey?: boolean } = {}): string {
    const pem = opts.foreignKey
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString()
      : this.privatePem;
    return JSON.stringify({
      type: 'service_account',
      project_id: 'acme-prod',
      private_key_id: 'kid-1',
      private_key: pem,
      client_email: 'gatehouse@acme-prod.iam.gserviceaccount.com',
      client_id: '1',
      token_uri: `${this.url}/token`,
    });
  }

  get last(): Recorded {
    const r = this.received.at(-1);
    if (!r) throw new Error('Google fake received nothing');
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
    if (req.url === '/token') return send(...(await this.token(raw)));
    const body = JSON.parse(raw || '{}') as Obj;
    this.received.push({ path: req.url ?? '', headers: { ...req.headers }, body });
    const g = GEMINI.exec(req.url ?? '');
    const v = VERTEX.exec(req.url ?? '');
    if (g && req.headers['x-goog-api-key'] !== this.apiKey)
      return send(400, {
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
              reason: 'API_KEY_INVALID',
              domain: 'googleapis.com',
            },
          ],
        },
      });
    const bearer = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (v && !this.issued.has(bearer))
      return send(401, {
        error: {
          code: 401,
          message: 'Request had invalid authentication credentials. Expected OAuth 2 access token.',
          status: 'UNAUTHENTICATED',
        },
      });
    const method = g?.[2] ?? v?.[4];
    if (!method) return send(404, { error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } });
    if (method === 'batchEmbedContents')
      return send(200, {
        embeddings: ((body.requests as Obj[]) ?? []).map((r, i) => ({ values: [0.75, i, textOf(r.content)] })),
      });
    if (method === 'predict')
      return send(200, {
        predictions: ((body.instances as Obj[]) ?? []).map((r, i) => ({
          embeddings: { values: [0.5, i, String(r.content).length], statistics: { token_count: 3, truncated: false } },
        })),
      });
    const calls = this.toolCalls.splice(0);
    const text = calls.length ? '' : `Gemini: ${lastUserText(body)}`;
    const callParts = calls.map((c) => ({ functionCall: { name: c.name, args: c.input } }));
    const answer = (parts: Obj[], finish?: string, usage?: Obj) => ({
      candidates: [{ content: { role: 'model', parts }, ...(finish ? { finishReason: finish } : {}), index: 0 }],
      ...(usage ? { usageMetadata: usage } : {}),
      modelVersion: 'gemini-2.0-flash-001',
    });
    if (method === 'generateContent')
      return send(200, answer(text ? [{ text }, ...callParts] : callParts, 'STOP', USAGE));
    // streamGenerateContent: with alt=sse, one partial answer per event; the last has finishReason and usage.
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const w = (j: unknown) => res.write(`data: ${JSON.stringify(j)}\r\n\r\n`);
    for (const p of text.match(/[\s\S]{1,6}/g) ?? [])
      w(answer([{ text: p }], undefined, { promptTokenCount: USAGE.promptTokenCount }));
    if (callParts.length) w(answer(callParts));
    w(answer([{ text: '' }], 'STOP', USAGE));
    res.end();
  }

  private async token(raw: string): Promise<[number, Obj]> {
    const form = new URLSearchParams(raw);
    const grantType = form.get('grant_type');
    try {
      if (grantType !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') throw new Error('unsupported grant_type');
      const { payload } = await jwtVerify(form.get('assertion') ?? '', this.publicKey, {
        audience: `${this.url}/token`,
        issuer: 'gatehouse@acme-prod.iam.gserviceaccount.com',
        algorithms: ['RS256'],
      });
      if (payload.scope !== 'https://www.googleapis.com/auth/cloud-platform') throw new Error('wrong scope');
      this.tokenRequests.push({ grantType, claims: payload as Obj });
      const token = `ya29.fake-${this.issued.size + 1}`;
      this.issued.add(token);
      return [200, { access_token: token, expires_in: this.tokenTtl, token_type: 'Bearer' }];
    } catch (err) {
      this.tokenRequests.push({ grantType, refused: (err as Error).message });
      return [400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }];
    }
  }
}

function textOf(content: unknown): number {
  const parts = ((content as Obj | undefined)?.parts as Obj[] | undefined) ?? [];
  return parts.map((p) => String(p.text ?? '')).join('').length;
}

function lastUserText(body: Obj): string {
  const contents = (body.contents as Array<{ role?: string; parts?: Obj[] }> | undefined) ?? [];
  const u = [...contents].reverse().find((c) => c.role === 'user' && c.parts?.some((p) => typeof p.text === 'string'));
  return (u?.parts ?? []).map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
}
