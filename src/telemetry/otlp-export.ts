// OpenTelemetry export of the telemetry stream: spans and metrics with the GenAI semantic conventions, sent
// over OTLP/HTTP (JSON) to a configurable collector.
import { createHash } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace, type Attributes, type Context } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { TelemetryEvent } from '../core/sinks.js';
import { entitiesOf } from './prometheus-metrics.js';

export interface OtlpOptions {
  /** Collector base URL, e.g. http://127.0.0.1:4318 (the exporter posts to /v1/traces and /v1/metrics). */
  endpoint: string;
  headers?: Record<string, string>;
  serviceName?: string;
  /** How often metrics are pushed (default 10 s). */
  metricsIntervalMs?: number;
}

const hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** OTel trace ids are 32 hex chars; Gatehouse trace ids that are not get a stable digest, so one id stays one trace. */
export function otelTraceId(traceId: string): string {
  return /^[0-9a-f]{32}$/.test(traceId) && !/^0+$/.test(traceId) ? traceId : hex(traceId).slice(0, 32);
}

export class OtlpExport {
  private readonly tracerProvider: BasicTracerProvider;
  private readonly meterProvider: MeterProvider;
  private readonly tokenUsage;
  private readonly duration;
  private readonly events;

  constructor(opts: OtlpOptions) {
    const base = opts.endpoint.replace(/\/+$/, '');
    const resource = resourceFromAttributes({ 'service.name': opts.serviceName ?? 'gatehouse' });
    this.tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: [
        new BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces`, headers: opts.headers }), {
          scheduledDelayMillis: 1000,
        }),
      ],
    });
    this.meterProvider = new MeterProvider({
      resource,
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics`, headers: opts.headers }),
          exportIntervalMillis: opts.metricsIntervalMs ?? 10_000,
        }),
      ],
    });
    const meter = this.meterProvider.getMeter('gatehouse');
    this.tokenUsage = meter.createHistogram('gen_ai.client.token.usage', {
      unit: '{token}',
      description: 'Tokens used per model call',
    });
    this.duration = meter.createHistogram('gen_ai.client.operation.duration', {
      unit: 's',
      description: 'Model call duration',
    });
    this.events = meter.createCounter('gatehouse.events', { description: 'Governed events by kind and outcome' });
  }

  /** Telemetry listener: one span per event (in the event's trace), plus GenAI metrics for model calls. */
  readonly onEvent = (e: TelemetryEvent): void => {
    const tracer = this.tracerProvider.getTracer('gatehouse');
    const m = e.metrics ?? {};
    const end = e.time;
    const start = end - Math.max(0, m.latencyMs ?? 0);
    const attrs = baseAttributes(e);
    let name = e.kind;
    if (e.kind === 'model.invocation') {
      const op = String(e.attrs?.operation ?? 'chat');
      name = `${op} ${e.model ?? ''}`.trim();
      Object.assign(attrs, genAiAttributes(e, op));
      const mAttrs = {
        'gen_ai.operation.name': op,
        'gen_ai.provider.name': String(e.attrs?.provider ?? ''),
        'gen_ai.request.model': e.model ?? '',
      };
      if (m.tokensIn !== undefined) this.tokenUsage.record(m.tokensIn, { ...mAttrs, 'gen_ai.token.type': 'input' });
      if (m.tokensOut !== undefined) this.tokenUsage.record(m.tokensOut, { ...mAttrs, 'gen_ai.token.type': 'output' });
      if (m.latencyMs !== undefined) this.duration.record(m.latencyMs / 1000, mAttrs);
    } else {
      const target = e.dataset ?? e.connector ?? e.model ?? e.attrs?.host;
      if (target !== undefined) name = `${e.kind} ${String(target)}`;
    }
    this.events.add(1, { kind: e.kind, outcome: String(e.attrs?.outcome ?? e.attrs?.effect ?? '') });
    const span = tracer.startSpan(
      name,
      {
        kind: e.kind === 'model.invocation' ? SpanKind.CLIENT : SpanKind.INTERNAL,
        startTime: start,
        attributes: attrs,
      },
      parentOf(e),
    );
    if (e.kind === 'dlp.detection') {
      span.addEvent(
        'gen_ai.guardrail.result',
        {
          'gen_ai.guardrail.name': 'dlp',
          'gen_ai.guardrail.entities': entitiesOf(e).join(','),
          'gen_ai.guardrail.action': String(e.attrs?.action ?? 'redact'),
          'gen_ai.guardrail.count': m.count ?? 1,
        },
        end,
      );
    }
    if (e.attrs?.outcome === 'error') span.setStatus({ code: 2, message: String(e.attrs?.error ?? 'error') });
    span.end(end);
  };

  /** Pushes everything buffered now (tests and shutdown). */
  async flush(): Promise<void> {
    await this.tracerProvider.forceFlush();
    await this.meterProvider.forceFlush();
  }

  async shutdown(): Promise<void> {
    await this.tracerProvider.shutdown().catch(() => {});
    await this.meterProvider.shutdown().catch(() => {});
  }
}

function parentOf(e: TelemetryEvent): Context {
  const id = e.ids?.traceId;
  if (!id) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: otelTraceId(id),
    spanId: hex(`root:${id}`).slice(0, 16),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}

function baseAttributes(e: TelemetryEvent): Attributes {
  const a: Attributes = { 'gatehouse.event.kind': e.kind };
  if (e.app) a['gatehouse.app'] = e.app;
  if (e.appVersion !== undefined) a['gatehouse.app.version'] = e.appVersion;
  if (e.user) a['gatehouse.user'] = e.user;
  if (e.connector) a['gatehouse.connector'] = e.connector;
  if (e.dataset) a['gatehouse.dataset'] = e.dataset;
  for (const [k, v] of Object.entries(e.ids ?? {})) if (v) a[`gatehouse.${k.replace(/Id$/, '')}.id`] = v;
  for (const [k, v] of Object.entries(e.attrs ?? {})) a[`gatehouse.${k}`] = v;
  for (const [k, v] of Object.entries(e.metrics ?? {})) a[`gatehouse.${k}`] = v;
  return a;
}

function genAiAttributes(e: TelemetryEvent, op: string): Attributes {
  const m = e.metrics ?? {};
  const a: Attributes = { 'gen_ai.operation.name': op };
  if (e.attrs?.provider) a['gen_ai.provider.name'] = String(e.attrs.provider);
  if (e.model) a['gen_ai.request.model'] = e.model;
  if (e.attrs?.responseModel) a['gen_ai.response.model'] = String(e.attrs.responseModel);
  if (m.temperature !== undefined) a['gen_ai.request.temperature'] = m.temperature;
  if (m.maxTokens !== undefined) a['gen_ai.request.max_tokens'] = m.maxTokens;
  if (m.tokensIn !== undefined) a['gen_ai.usage.input_tokens'] = m.tokensIn;
  if (m.tokensOut !== undefined) a['gen_ai.usage.output_tokens'] = m.tokensOut;
  if (e.attrs?.finishReason) a['gen_ai.response.finish_reasons'] = [String(e.attrs.finishReason)];
  return a;
}
