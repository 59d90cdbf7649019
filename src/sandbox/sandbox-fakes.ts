// Small in-memory fakes for sandbox tests and the bench: a rule-driven governor, recording sinks, an LLM.
// (Apps and the catalog come from apps/testing/memory-apps.ts and catalog/testing/memory-catalog.ts, which pass
// their contract suites.)
import type { Decision, GovernInput, Governor, Obligations } from '../core/governance.js';
import { newId } from '../core/ids.js';
import type { AuditEventInput, AuditSink, TelemetryEvent, TelemetrySink } from '../core/sinks.js';
import type { LlmCaller, LlmChatRequest, LlmChatResult, LlmInvoker } from './llm-invoker.js';

export type FakeRule = (
  input: GovernInput,
) => { effect: Decision['effect']; policy: string; reason: string; obligations?: Obligations } | undefined;

/** Allows everything unless a rule says otherwise; records every input. */
export class FakeGovernor implements Governor {
  readonly inputs: GovernInput[] = [];
  constructor(public rules: FakeRule[] = []) {}
  async govern(input: GovernInput): Promise<Decision> {
    this.inputs.push(input);
    const hit = this.rules.map((r) => r(input)).find((x) => x !== undefined);
    const effect = hit?.effect ?? 'allow';
    return {
      id: newId('dec'),
      time: Date.now(),
      effect,
      obligations: hit?.obligations ?? {},
      warnings: [],
      bundleRevision: 'test',
      matched: hit
        ? [
            {
              policy: hit.policy,
              effect: hit.effect === 'allow' ? 'limit' : hit.effect,
              mode: 'enforce',
              reason: hit.reason,
            },
          ]
        : [],
      reason: hit?.reason ?? 'allowed',
      errors: [],
    };
  }
}

export class MemoryAudit implements AuditSink {
  readonly entries: AuditEventInput[] = [];
  async append(e: AuditEventInput): Promise<{ index: number }> {
    this.entries.push(e);
    return { index: this.entries.length - 1 };
  }
}

export class MemoryTelemetry implements TelemetrySink {
  readonly events: TelemetryEvent[] = [];
  emit(e: TelemetryEvent): void {
    this.events.push(e);
  }
}

/** Answers deterministically from the last user message, with token counts by whitespace and a fixed price. */
export class FakeLlm implements LlmInvoker {
  readonly requests: LlmChatRequest[] = [];
  async chat(req: LlmChatRequest, _caller?: LlmCaller): Promise<LlmChatResult> {
    this.requests.push(req);
    const last = [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const words = last.split(/\s+/).filter(Boolean);
    const content = /Summari[sz]e/.test(req.messages[0]?.content ?? '')
      ? `Summary: ${words.slice(0, 5).join(' ')}`
      : `You said: ${last}`;
    const inputTokens = req.messages.reduce((n, m) => n + m.content.split(/\s+/).length, 0);
    return {
      content,
      model: req.model,
      usage: { inputTokens, outputTokens: content.split(/\s+/).length, costUsd: inputTokens * 1e-6 },
    };
  }
}

/** A minimal valid manifest for tests; `spec` fields override. */
export function testManifest(
  name: string,
  spec: Record<string, unknown> = {},
  tier: 'wasm' | 'container' | 'microvm' = 'wasm',
): Record<string, unknown> {
  return {
    apiVersion: 'gatehouse/v1',
    kind: 'App',
    metadata: { name, owner: 'alice' },
    spec: { purpose: 'test app', environment: 'dev', region: 'eu', runtime: { tier, entrypoint: 'main.ts' }, ...spec },
  };
}
