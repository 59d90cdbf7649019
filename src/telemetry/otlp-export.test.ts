// Sends telemetry through the OTLP/HTTP exporter to a real receiver on 127.0.0.1 and decodes what arrives.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OtlpExport, otelTraceId } from './otlp-export.js';

interface OtlpAttr {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpSpan {
  name: string;
  traceId: string;
  attributes: OtlpAttr[];
  events?: { name: string; attributes: OtlpAttr[] }[];
}

function attr(list: OtlpAttr[] | undefined, key: string): unknown {
  const v = list?.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  if ('intValue' in v) return Number(v.intValue);
  return Object.values(v)[0];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('OTLP/HTTP export', () => {
  it('delivers GenAI spans in one trace and token metrics to the collector', async () => {
    const received: { path: string; type: string; body: Record<string, unknown> }[] = [];
    const server = createServer(async (req, res) => {
      const text = await readBody(req);
      received.push({
        path: req.url ?? '',
        type: String(req.headers['content-type']),
        body: JSON.parse(text) as Record<string, unknown>,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const ex = new OtlpExport({
      endpoint: `http://127.0.0.1:${port}`,
      serviceName: 'gatehouse-test',
      metricsIntervalMs: 60_000,
    });
    try {
      const now = Date.now();
      ex.onEvent({
        kind: 'model.invocation',
        time: now,
        app: 'support-bot',
        appVersion: 2,
        model: 'gpt-4o-mini',
        ids: { traceId: 'trc_run42' },
        metrics: { tokensIn: 120, tokensOut: 30, latencyMs: 250, temperature: 0.2 },
        attrs: { provider: 'openai', outcome: 'ok' },
      });
      ex.onEvent({
        kind: 'data.query',
        time: now,
        app: 'support-bot',
        dataset: 'transcripts',
        ids: { traceId: 'trc_run42' },
        metrics: { rows: 5 },
      });
      ex.onEvent({
        kind: 'dlp.detection',
        time: now,
        app: 'support-bot',
        ids: { traceId: 'trc_run42' },
        metrics: { count: 1 },
        attrs: { entities: 'US_SSN', action: 'mask' },
      });
      await ex.flush();
      const traces = received.filter((r) => r.path === '/v1/traces');
      assert.ok(traces.length >= 1, 'the collector received traces');
      assert.match(traces[0].type, /application\/json/);
      const spans = traces.flatMap((t) =>
        (t.body.resourceSpans as { scopeSpans: { spans: OtlpSpan[] }[] }[]).flatMap((rs) =>
          rs.scopeSpans.flatMap((s) => s.spans),
        ),
      );
      assert.equal(spans.length, 3);
      const chat = spans.find((s) => s.name === 'chat gpt-4o-mini');
      assert.ok(chat, `span names: ${spans.map((s) => s.name).join(', ')}`);
      assert.equal(attr(chat.attributes, 'gen_ai.operation.name'), 'chat');
      assert.equal(attr(chat.attributes, 'gen_ai.provider.name'), 'openai');
      assert.equal(attr(chat.attributes, 'gen_ai.request.model'), 'gpt-4o-mini');
      assert.equal(attr(chat.attributes, 'gen_ai.usage.input_tokens'), 120);
      assert.equal(attr(chat.attributes, 'gen_ai.usage.output_tokens'), 30);
      assert.equal(new Set(spans.map((s) => s.traceId)).size, 1, 'one trace id for the whole run');
      const want = otelTraceId('trc_run42');
      assert.ok([want, Buffer.from(want, 'hex').toString('base64')].includes(spans[0].traceId));
      const guard = spans.find((s) => s.name === 'dlp.detection')?.events?.[0];
      assert.equal(guard?.name, 'gen_ai.guardrail.result');
      assert.equal(attr(guard?.attributes, 'gen_ai.guardrail.entities'), 'US_SSN');
      const metrics = received.filter((r) => r.path === '/v1/metrics');
      assert.ok(metrics.length >= 1, 'the collector received metrics');
      const names = JSON.stringify(metrics.map((m) => m.body));
      assert.match(names, /gen_ai\.client\.token\.usage/);
      assert.match(names, /"gen_ai\.token\.type","value":\{"stringValue":"input"\}/);
    } finally {
      await ex.shutdown();
      await new Promise((r) => server.close(r));
    }
  });
});
