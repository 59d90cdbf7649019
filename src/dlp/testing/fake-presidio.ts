// A real-HTTP fake of Presidio Analyzer's REST API (`POST /analyze`, `GET /health`) on 127.0.0.1 for the NER tests:
// a small gazetteer answers with code-point offsets like the Python service; failures are scriptable.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakePresidioFailure = 'http500' | 'garbage' | 'slow' | 'outOfRange';

/** What the fake "recognizes": whole-word occurrences of these strings (case-sensitive), per entity type. */
export const FAKE_GAZETTEER: Record<string, readonly string[]> = {
  PERSON: ['Zoltán Kovács', 'Åsa Lindqvist', 'Lindqvist', 'Ngozi Okafor', 'María José García'],
  LOCATION: ['Reykjavík', 'São Paulo', 'Kraków'],
  ORGANIZATION: ['Fabrikam Ltd', 'Contoso GmbH'],
  // Presidio returns more types than NER ones; the backend must drop them.
  NRP: ['Hungarian'],
};

interface AnalyzeBody {
  text?: unknown;
  language?: unknown;
  entities?: unknown;
}

export class FakePresidio {
  url = '';
  readonly requests: AnalyzeBody[] = [];
  /** Failures served one per request before normal answers. */
  failNext: FakePresidioFailure[] = [];
  private server?: Server;

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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url === '/health') return void res.end('Presidio Analyzer service is up');
    if (req.method !== 'POST' || req.url !== '/analyze') return void res.writeHead(404).end();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: AnalyzeBody;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AnalyzeBody;
    } catch {
      return void res.writeHead(400).end('bad json');
    }
    this.requests.push(body);
    // Presidio answers 400 without text or language.
    if (typeof body.text !== 'string' || typeof body.language !== 'string')
      return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"No text provided"}');
    const failure = this.failNext.shift();
    if (failure === 'http500') return void res.writeHead(500).end('{"error":"boom"}');
    if (failure === 'garbage') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":1}');
    if (failure === 'slow') await new Promise((r) => setTimeout(r, 1500));
    const wanted = Array.isArray(body.entities) ? new Set(body.entities as string[]) : undefined;
    const results = analyze(body.text).filter((r) => !wanted || wanted.has(r.entity_type) || r.entity_type === 'NRP');
    if (failure === 'outOfRange')
      results.push({ entity_type: 'PERSON', start: 0, end: [...body.text].length + 5, score: 0.9 });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(results));
  }
}

/** Gazetteer hits in code points, longest entry first so `Åsa Lindqvist` wins over `Lindqvist`. */
function analyze(text: string): { entity_type: string; start: number; end: number; score: number }[] {
  const cps = [...text];
  const out: { entity_type: string; start: number; end: number; score: number }[] = [];
  const taken = new Array<boolean>(cps.length).fill(false);
  const entries = Object.entries(FAKE_GAZETTEER)
    .flatMap(([type, vals]) => vals.map((v) => [type, [...v]] as const))
    .sort((a, b) => b[1].length - a[1].length);
  const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
  for (const [type, v] of entries) {
    for (let i = 0; i + v.length <= cps.length; i++) {
      if (isWord(cps[i - 1]) || isWord(cps[i + v.length])) continue;
      if (v.some((c, k) => cps[i + k] !== c) || taken.slice(i, i + v.length).some(Boolean)) continue;
      taken.fill(true, i, i + v.length);
      out.push({ entity_type: type, start: i, end: i + v.length, score: 0.85 });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}
