// Streaming output DLP hold-back at a realistic pace: ID-dense, number-dense and prose answers streamed at ~30
// tokens/s (one ~4-character token per chunk) through the gateway's stream path (streamAnswer + the DLP stream
// scanner), bounded (dlp.stream defaults: 250 ms / 96 chars) beside unbounded (the same run). Prints the added
// time to the first visible chunk and the largest hold (ms a character waited in the gateway; characters held).
import { performance } from 'node:perf_hooks';
import { createDlpEngine } from '../src/dlp/index.js';
import { newCallFacts } from '../src/gateway/call-records.js';
import type { UpstreamEvent } from '../src/gateway/gateway-types.js';
import { streamAnswer } from '../src/gateway/stream-answer.js';
import { appVersion, modelDoc } from '../src/gateway/testing/gateway-harness.js';

const TOKENS_PER_S = Number(process.env.HOLD_BENCH_TPS ?? 30);
const CHARS = Number(process.env.HOLD_BENCH_CHARS ?? 600);

const ANSWERS: Record<string, string> = {
  prose:
    'The quarterly review went well overall. The team shipped the new onboarding flow, cut the median support ' +
    'response time, and started the migration of the reporting jobs. Next quarter we will focus on reliability, ' +
    'documentation and the remaining customer requests, with a short retrospective at the start of each month. ',
  'id-dense':
    'Open tickets: ABC-1042 DEF-2291 GHI-3310 JKL-4478 MNO-5521 PQR-6634 STU-7745 VWX-8856 assigned to Anna Berg, ' +
    'Carl Dahl, Erik Fors, Gina Holm; orders ORD-77120 ORD-77121 ORD-77188 SKU-A1 SKU-B22 SKU-C333 ship Monday. ',
  'number-dense':
    '| region | 2023 | 2024 | change |\n| north | 1,204 | 1,388 | 15.3 |\n| south | 2,911 | 2,705 | -7.1 |\n' +
    '| east | 804 | 1,020 | 26.9 |\n| west | 3,377 | 3,512 | 4.0 |\n| total | 8,296 | 8,625 | 4.0 |\n',
};

interface Row {
  firstMs: number;
  maxHoldMs: number;
  maxHoldChars: number;
}

async function run(text: string, bounded: boolean): Promise<Row> {
  const dlp = createDlpEngine(bounded ? {} : { stream: { maxHoldMs: 10_000, maxHoldChars: 4096 } });
  const answer = text.repeat(Math.ceil(CHARS / text.length)).slice(0, CHARS);
  const chunks = answer.match(/[\s\S]{1,4}/g)!;
  const gap = 1000 / TOKENS_PER_S;
  const arrived: number[] = []; // per character of the answer: when the upstream sent it
  async function* events(): AsyncGenerator<UpstreamEvent> {
    for (const c of chunks) {
      const t = performance.now();
      for (let k = 0; k < c.length; k++) arrived.push(t);
      yield { type: 'text', text: c };
      await new Promise((r) => setTimeout(r, gap));
    }
    yield { type: 'finish', finishReason: 'stop' };
  }
  const caller = { app: 'bench', version: appVersion('bench', {}), user: 'u', via: 'k' };
  const stream = streamAnswer({
    events: events(),
    doc: modelDoc('m', 'openai', 'http://127.0.0.1:1'),
    maxOut: 100_000,
    dlp,
    outputMode: 'mask',
    scope: 'bench',
    restore: false,
    facts: newCallFacts(caller, 'm', { t0: performance.now() }),
    reservation: { settle: async () => undefined },
    anthropicFactor: 1.2,
    done: async () => undefined,
  });
  let out = 0; // characters of the original answer accounted for (masks change lengths: approximated by position)
  let first = -1;
  let maxHoldMs = 0;
  let maxHoldChars = 0;
  for await (const ev of stream) {
    if (ev.type !== 'text') continue;
    const t = performance.now();
    if (first < 0) first = t - arrived[0];
    const upTo = Math.min(arrived.length, out + ev.text.length);
    for (let k = out; k < upTo; k++) maxHoldMs = Math.max(maxHoldMs, t - arrived[k]);
    maxHoldChars = Math.max(maxHoldChars, arrived.length - out);
    out = upTo;
  }
  return { firstMs: first, maxHoldMs, maxHoldChars };
}

await run(ANSWERS['id-dense'].slice(0, 80), true); // warm-up: the DLP engine's lexicons load lazily
console.log(`stream hold-back bench: ${CHARS} chars per answer, ${TOKENS_PER_S} chunks/s of ~4 chars`);
console.log('answer        | bounds    | added first chunk ms | largest hold ms | largest hold chars');
for (const [kind, text] of Object.entries(ANSWERS))
  for (const bounded of [false, true]) {
    const r = await run(text, bounded);
    console.log(
      `${kind.padEnd(13)} | ${(bounded ? 'bounded' : 'unbounded').padEnd(9)} | ${r.firstMs.toFixed(1).padStart(20)} | ${r.maxHoldMs.toFixed(0).padStart(15)} | ${String(r.maxHoldChars).padStart(18)}`,
    );
  }
