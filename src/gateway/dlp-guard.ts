// Prompt and output DLP for model calls, on top of src/dlp: redact/tokenize/block per policy, restore tokens
// for callers allowed to see them, and a streaming guard that catches values split across chunks.
import {
  DlpBlockedError,
  type DlpEngine,
  type EntityAction,
  type Finding,
  type RedactPolicy,
  type StreamScanner,
} from '../dlp/index.js';
import type { DlpMode } from '../core/dlp-mode-limit.js';
import type { ToolCall } from './gateway-types.js';
import { redactJsonText } from './wire-body.js';

export type { DlpMode };

export function countFindings(findings: readonly Finding[], into: Record<string, number> = {}): Record<string, number> {
  for (const f of findings) into[f.type] = (into[f.type] ?? 0) + 1;
  return into;
}

/** Runs `fn`; a block still counts what it found (into `findings`) before the error goes on. */
function countingBlocks<T>(findings: Record<string, number>, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DlpBlockedError)
      for (const [t, n] of Object.entries(err.counts)) findings[t] = (findings[t] ?? 0) + n;
    throw err;
  }
}

function policyFor(mode: DlpMode, scope: string): RedactPolicy {
  return { default: mode as EntityAction, tokenScope: scope };
}

/**
 * A prompt-DLP function for one text (a message part, tool arguments, a tool result, an embedding input), through
 * the engine's NER backend too (`dlp.ner`, e.g. a Presidio Analyzer); rejects with DlpBlockedError when the mode is
 * block and something is found, and rejects (the call fails closed) when the backend cannot answer. Counts findings
 * by type into `findings`, blocked ones included, so a refused call still records them. Undefined when nothing is
 * to be done.
 */
export function promptRedactor(
  dlp: DlpEngine | undefined,
  mode: DlpMode,
  scope: string,
  findings: Record<string, number>,
): ((text: string) => Promise<string>) | undefined {
  if (!dlp || mode === 'allow') return undefined;
  return async (text) => {
    const r = await countingBlocksAsync(findings, () => dlp.redactAsync(text, policyFor(mode, scope)));
    countFindings(r.findings, findings);
    return r.findings.length ? r.text : text;
  };
}

async function countingBlocksAsync<T>(findings: Record<string, number>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    return countingBlocks(findings, () => {
      throw err;
    });
  }
}

/** Output DLP for a whole answer: redacts (or blocks), then restores prompt tokens when allowed; counts as guardPrompt. */
export function guardOutput(
  dlp: DlpEngine | undefined,
  mode: DlpMode,
  text: string,
  scope: string,
  restore: boolean,
  findings: Record<string, number> = {},
): { text: string; findings: Record<string, number> } {
  if (!dlp) return { text, findings };
  let out = text;
  if (mode !== 'allow') {
    const r = countingBlocks(findings, () => dlp.redact(text, policyFor(mode === 'tokenize' ? 'mask' : mode, scope)));
    countFindings(r.findings, findings);
    out = r.text;
  }
  return { text: restore ? dlp.restore(out, scope) : out, findings };
}

/** Output DLP for a whole answer with tool calls: text (inside JSON string values when the caller asked for JSON,
 *  so the document stays valid) and every tool call's arguments the same way. */
export function guardAnswer(
  dlp: DlpEngine | undefined,
  mode: DlpMode,
  answer: { text: string; toolCalls?: ToolCall[] },
  scope: string,
  restore: boolean,
  jsonMode: boolean,
  findings: Record<string, number> = {},
): { text: string; toolCalls?: ToolCall[] } {
  const fn = (s: string) => guardOutput(dlp, mode, s, scope, restore, findings).text;
  const text = jsonMode && answer.text ? redactJsonText(answer.text, fn) : fn(answer.text);
  const toolCalls = answer.toolCalls?.map((c) => ({ ...c, arguments: redactJsonText(c.arguments, fn) }));
  return { text, ...(toolCalls ? { toolCalls } : {}) };
}

/**
 * guardAnswer through the engine's NER-aware entry point (`redactAsync`: the rules plus the `dlp.ner` backend), for
 * whole answers that are not streamed. Same strings, same order, same counts as guardAnswer: every string it would
 * redact is redacted asynchronously first, then the answer is rebuilt from those results. Rejects (fails closed)
 * when the backend cannot answer, and throws DlpBlockedError on a block finding.
 */
export async function guardAnswerAsync(
  dlp: DlpEngine | undefined,
  mode: DlpMode,
  answer: { text: string; toolCalls?: ToolCall[] },
  scope: string,
  restore: boolean,
  jsonMode: boolean,
  findings: Record<string, number> = {},
): Promise<{ text: string; toolCalls?: ToolCall[] }> {
  if (!dlp || mode === 'allow') return guardAnswer(dlp, mode, answer, scope, restore, jsonMode, findings);
  const strings: string[] = [];
  const collect = (s: string) => {
    strings.push(s);
    return s;
  };
  if (jsonMode && answer.text) redactJsonText(answer.text, collect);
  else collect(answer.text);
  for (const c of answer.toolCalls ?? []) redactJsonText(c.arguments, collect);
  const policy = policyFor(mode === 'tokenize' ? 'mask' : mode, scope);
  const done = new Map<string, { text: string; findings: Finding[] }>();
  for (const s of strings) {
    let r = done.get(s);
    if (!r) {
      const text = s;
      r = await countingBlocksAsync(findings, () => dlp.redactAsync(text, policy));
      done.set(s, r);
    }
    countFindings(r.findings, findings);
  }
  const fn = (s: string) => {
    const out = done.get(s)?.text ?? s;
    return restore ? dlp.restore(out, scope) : out;
  };
  const text = jsonMode && answer.text ? redactJsonText(answer.text, fn) : fn(answer.text);
  const toolCalls = answer.toolCalls?.map((c) => ({ ...c, arguments: redactJsonText(c.arguments, fn) }));
  return { text, ...(toolCalls ? { toolCalls } : {}) };
}

// Vault tokens look like [US_SSN:tk_0123456789ab]; a chunk ending inside one is held back until it closes.
const PARTIAL_TOKEN = /\[[A-Z0-9_]*(:(t(k(_[0-9a-f]{0,12})?)?)?)?$/;

/** Streaming output guard: the DLP stream scanner (split values caught), then token restore if allowed. */
export class StreamGuard {
  private readonly scanner: StreamScanner | undefined;
  private held = '';
  /** What a block found (the scanner's own list holds only what it let through). */
  private readonly blocked: Record<string, number> = {};

  constructor(
    private readonly dlp: DlpEngine | undefined,
    mode: DlpMode,
    private readonly scope: string,
    private readonly restore: boolean,
  ) {
    this.scanner =
      dlp && mode !== 'allow'
        ? dlp.createStreamScanner({ policy: policyFor(mode === 'tokenize' ? 'mask' : mode, scope) })
        : undefined;
  }

  /** Returns the text safe to emit now; throws DlpBlockedError on a block finding. */
  push(chunk: string): string {
    const scanner = this.scanner;
    return this.restored(scanner ? countingBlocks(this.blocked, () => scanner.push(chunk)) : chunk, false);
  }

  /** Ms until held text is due out (dlp.stream.maxHoldMs), undefined when nothing waits on the bound. */
  dueIn(): number | undefined {
    return this.scanner?.dueIn();
  }

  /** Held text past its bound, redacted (all but a value still being completed). */
  flush(): string {
    const scanner = this.scanner;
    return scanner
      ? this.restored(
          countingBlocks(this.blocked, () => scanner.flush()),
          false,
        )
      : '';
  }

  end(): string {
    const scanner = this.scanner;
    return this.restored(scanner ? countingBlocks(this.blocked, () => scanner.end()) : '', true);
  }

  /** Findings by type: what was redacted and let through, plus what a block refused. */
  findings(): Record<string, number> {
    return this.scanner ? countFindings(this.scanner.findings, { ...this.blocked }) : {};
  }

  private restored(text: string, last: boolean): string {
    if (!this.restore || !this.dlp) return text;
    let s = this.held + text;
    this.held = '';
    if (!last) {
      const m = PARTIAL_TOKEN.exec(s);
      if (m) {
        this.held = s.slice(m.index);
        s = s.slice(0, m.index);
      }
    }
    return this.dlp.restore(s, this.scope);
  }
}
