// Forwards an upstream stream through output DLP (split values caught) and the output-token cap, then settles
// the budget reservation and records the call, whether the stream ends, breaks, or the client goes away.
import { performance } from 'node:perf_hooks';
import { countTokens, decode, encode } from 'gpt-tokenizer';
import type { ModelDoc } from '../catalog/catalog-schema.js';
import { asGatehouseError } from '../core/errors.js';
import type { DlpEngine } from '../dlp/index.js';
import type { Reservation } from './budgets.js';
import type { CallFacts } from './call-records.js';
import { StreamGuard, guardAnswerAsync, type DlpMode } from './dlp-guard.js';
import type { FinishReason, StreamEvent, UpstreamEvent } from './gateway-types.js';
import { costNanos, countTextTokens, nanosToUsd } from './tokens.js';

export interface StreamAnswerInput {
  events: AsyncIterable<UpstreamEvent>;
  doc: ModelDoc;
  maxOut: number;
  dlp: DlpEngine | undefined;
  outputMode: DlpMode;
  scope: string;
  restore: boolean;
  facts: CallFacts;
  reservation: Reservation;
  anthropicFactor: number;
  /** Records the call; awaited before the stream ends, so sync audit durability holds for streams too. */
  done(): Promise<void>;
}

export async function* streamAnswer(i: StreamAnswerInput): AsyncGenerator<StreamEvent> {
  const f = i.facts;
  let guard = new StreamGuard(i.dlp, i.outputMode, i.scope, i.restore);
  let text = '';
  // UTF-8 bytes bound the token count from above (o200k_base is a byte-level BPE: every token covers at least one
  // byte), so chunks are not tokenized; the exact count of the whole text is taken only when the bound passes the cap.
  let estimate = 0;
  let usageIn: number | undefined;
  let usageOut: number | undefined;
  let finish: FinishReason = 'stop';
  let finished = false;
  let calls = 0;
  const toolFindings: Record<string, number> = {};
  const settle = async (outTokens: number) => {
    f.tokensIn = usageIn ?? f.tokensIn;
    f.tokensOut = outTokens;
    f.costNanos = costNanos(i.doc, f.tokensIn, outTokens);
    f.outputFindings = guard.findings();
    countInto(f.outputFindings, toolFindings);
    f.appDailyCostNanos = await i.reservation.settle(f.costNanos, f.tokensIn + outTokens);
  };
  const counted = () => countTextTokens(text, i.doc.spec.provider, i.anthropicFactor);
  const it = i.events[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<UpstreamEvent>> | undefined;
  let drained = false;
  try {
    for (;;) {
      next ??= it.next();
      // While the upstream is quiet, text the scanner holds past dlp.stream.maxHoldMs goes out on a timer.
      const wait = guard.dueIn();
      const r = wait === undefined ? await next : await raceTimer(next, wait);
      if (r === TIMER) {
        const due = guard.flush();
        if (due) yield { type: 'text', text: due };
        continue;
      }
      next = undefined;
      if (r.done) {
        drained = true;
        break;
      }
      const ev = r.value;
      if (ev.type === 'text') {
        f.ttftMs ??= performance.now() - f.t0;
        const before = text.length;
        text += ev.text;
        estimate += Buffer.byteLength(ev.text);
        if (estimate > i.maxOut && (estimate = countTokens(text)) > i.maxOut) {
          // The upstream ignored max_tokens: keep what fits, stop reading, and end the answer as a length stop.
          const fits = decode(encode(text).slice(0, i.maxOut));
          const safe = fits.length > before ? guard.push(fits.slice(before)) : '';
          if (safe) yield { type: 'text', text: safe };
          finish = 'length';
          f.outcome = 'cut_off';
          break;
        }
        const safe = guard.push(ev.text);
        if (safe) yield { type: 'text', text: safe };
      } else if (ev.type === 'tool_call') {
        // Whole calls only (the parser gathers the argument deltas): arguments are scanned inside their JSON strings.
        // Text the scanner still holds goes out first, so the client sees the answer in its order.
        f.ttftMs ??= performance.now() - f.t0;
        const held = guard.end();
        if (held) yield { type: 'text', text: held };
        countInto(toolFindings, guard.findings());
        guard = new StreamGuard(i.dlp, i.outputMode, i.scope, i.restore);
        text += ev.call.name + ev.call.arguments;
        (f.toolCalls ??= []).push(ev.call.name);
        const args = await guardAnswerAsync(
          i.dlp,
          i.outputMode,
          { text: ev.call.arguments },
          i.scope,
          i.restore,
          true,
          toolFindings,
        );
        yield { type: 'tool_call', index: calls++, call: { ...ev.call, arguments: args.text } };
      } else if (ev.type === 'finish') finish = ev.finishReason;
      else {
        if (ev.usage.inputTokens !== undefined) usageIn = ev.usage.inputTokens;
        if (ev.usage.outputTokens !== undefined) usageOut = ev.usage.outputTokens;
      }
    }
    const tail = guard.end();
    if (tail) yield { type: 'text', text: tail };
    await settle(f.outcome === 'cut_off' ? i.maxOut : (usageOut ?? Math.min(i.maxOut, counted())));
    finished = true;
    yield {
      type: 'done',
      finishReason: finish,
      usage: { inputTokens: f.tokensIn, outputTokens: f.tokensOut },
      costUsd: nanosToUsd(f.costNanos),
    };
  } catch (err) {
    const e = asGatehouseError(err);
    f.outcome =
      e.extra.reason === 'dlp_blocked'
        ? 'dlp_blocked'
        : e.code === 'upstream_error'
          ? 'upstream_error'
          : e.code === 'policy_denied'
            ? 'killed'
            : 'error';
    f.reason = e.message;
    await settle(Math.min(i.maxOut, usageOut ?? counted()));
    finished = true;
    yield {
      type: 'error',
      status: e.status,
      code: e.code,
      message:
        e.status >= 500 && e.code === 'internal'
          ? 'The gateway failed while streaming; the server log has the details.'
          : e.message,
    };
  } finally {
    // Close the upstream when we stopped early; a read still pending finishes first (not awaited: it may be stalled).
    if (!drained) {
      if (next) void it.return?.()?.catch(() => {});
      else await it.return?.()?.catch(() => {});
    }
    if (!finished) {
      // The client went away mid-stream: charge what was produced so far.
      f.outcome = 'client_closed';
      await settle(Math.min(i.maxOut, usageOut ?? counted()));
    }
    await i.done();
  }
}

function countInto(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

const TIMER = Symbol('timer');

/** The next event, or TIMER once `ms` pass first (the timer is cleared either way). */
async function raceTimer<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMER> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<typeof TIMER>((r) => (timer = setTimeout(() => r(TIMER), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
