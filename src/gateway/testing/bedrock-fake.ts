// Test stand-in for AWS Bedrock Runtime (Converse / ConverseStream) that VERIFIES each request's SigV4 signature by
// recomputing it with the AWS SDK's signer from its own copy of the secret, records requests, and answers in
// Bedrock's wire format: JSON for /converse, the binary event-stream encoding for /converse-stream.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { Recorded, ScriptedToolCall } from './recording-provider.js';

export interface BedrockFakeCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const BEDROCK_USAGE = { inputTokens: 19, outputTokens: 4 };

/** Parses `AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=a;b, Signature=hex`. */
function parseAuth(h: string | undefined) {
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      h ?? '',
    );
  return m ? { akid: m[1], region: m[3], service: m[4], signed: m[5].split(';'), signature: m[6] } : undefined;
}

export class BedrockFake {
  url = '';
  readonly received: Recorded[] = [];
  /** Tool calls answered one per request (JSON or stream) before falling back to text. */
  readonly toolCalls: ScriptedToolCall[] = [];
  /** Error answers consumed one per request: status, AWS error type and message. */
  readonly errors: Array<{ status: number; type: string; message: string }> = [];
  /** Requests whose signature verified / did not. */
  verified = 0;
  rejected = 0;
  private server: Server | undefined;
  private readonly codec = new EventStreamCodec(toUtf8, fromUtf8);

  constructor(
    private readonly creds: BedrockFakeCredentials,
    private readonly region = 'us-east-1',
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private fail(res: ServerResponse, status: number, type: string, message: string): void {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.coral.service/`,
    });
    res.end(JSON.stringify({ message }));
  }

  /** Recomputes the signature over what arrived; undefined when it verifies, else the AWS error to answer. */
  private async verify(req: IncomingMessage, body: string): Promise<[string, string] | undefined> {
    const a = parseAuth(req.headers.authorization);
    if (!a) return ['MissingAuthenticationTokenException', 'Missing Authentication Token'];
    if (a.akid !== this.creds.accessKeyId || a.service !== 'bedrock' || a.region !== this.region)
      return ['UnrecognizedClientException', 'The security token included in the request is invalid.'];
    if (this.creds.sessionToken && req.headers['x-amz-security-token'] !== this.creds.sessionToken)
      return ['UnrecognizedClientException', 'The security token included in the request is invalid.'];
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!d) return ['IncompleteSignatureException', 'x-amz-date is missing or malformed'];
    const headers: Record<string, string> = {};
    for (const name of a.signed) {
      const v = req.headers[name];
      if (v === undefined) return ['IncompleteSignatureException', `signed header ${name} is missing`];
      headers[name] = Array.isArray(v) ? v.join(',') : v;
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    const signer = new SignatureV4({
      credentials: this.creds,
      region: this.region,
      service: 'bedrock',
      sha256: Sha256,
      uriEscapePath: true,
    });
    const again = await signer.sign(
      {
        method: req.method ?? 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body,
      },
      { signingDate: new Date(Date.UTC(+d[1], +d[2] - 1, +d[3], +d[4], +d[5], +d[6])) },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(String(again.headers.authorization))?.[1];
    if (expected !== a.signature)
      return [
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      ];
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    this.received.push({ path: req.url ?? '', headers: { ...req.headers }, body });
    const m = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(req.url ?? '');
    if (!m) return this.fail(res, 404, 'UnknownOperationException', 'Unknown operation');
    const bad = await this.verify(req, raw);
    if (bad) {
      this.rejected++;
      return this.fail(res, 403, bad[0], bad[1]);
    }
    this.verified++;
    const scripted = this.errors.shift();
    if (scripted) return this.fail(res, scripted.status, scripted.type, scripted.message);
    const call = this.toolCalls.shift();
    const text = call ? '' : `Bedrock: ${lastUserText(body)}`;
    if (m[2] === 'converse') {
      const content: unknown[] = [];
      if (text) content.push({ text });
      if (call) content.push({ toolUse: { toolUseId: call.id, name: call.name, input: call.input } });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          output: { message: { role: 'assistant', content } },
          stopReason: call ? 'tool_use' : 'end_turn',
          usage: { ...BEDROCK_USAGE, totalTokens: BEDROCK_USAGE.inputTokens + BEDROCK_USAGE.outputTokens },
          metrics: { latencyMs: 12 },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
    const frames: Uint8Array[] = [];
    const ev = (type: string, payload: Record<string, unknown>) =>
      frames.push(
        this.codec.encode({
          headers: {
            ':event-type': { type: 'string', value: type },
            ':content-type': { type: 'string', value: 'application/json' },
            ':message-type': { type: 'string', value: 'event' },
          },
          // Bedrock pads events with a `p` field; readers must ignore it.
          body: fromUtf8(JSON.stringify({ ...payload, p: 'abcdefgh' })),
        }),
      );
    ev('messageStart', { role: 'assistant' });
    if (text) {
      for (const piece of text.match(/[\s\S]{1,4}/g) ?? [])
        ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: piece } });
      ev('contentBlockStop', { contentBlockIndex: 0 });
    }
    if (call) {
      ev('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: call.id, name: call.name } } });
      for (const piece of JSON.stringify(call.input).match(/[\s\S]{1,5}/g) ?? [])
        ev('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: piece } } });
      ev('contentBlockStop', { contentBlockIndex: 0 });
    }
    ev('messageStop', { stopReason: call ? 'tool_use' : 'end_turn' });
    ev('metadata', { usage: { ...BEDROCK_USAGE, totalTokens: 23 }, metrics: { latencyMs: 12 } });
    // Written in odd-sized slices so frames straddle TCP writes, as they do on the wire.
    const all = Buffer.concat(frames);
    for (let i = 0; i < all.length; i += 37) res.write(all.subarray(i, i + 37));
    res.end();
  }
}

function lastUserText(body: Record<string, unknown>): string {
  const msgs = (body.messages as Array<{ role?: string; content?: Array<{ text?: unknown }> }> | undefined) ?? [];
  const u = [...msgs].reverse().find((m) => m.role === 'user');
  return (u?.content ?? []).map((b) => (typeof b.text === 'string' ? b.text : '')).join('');
}
