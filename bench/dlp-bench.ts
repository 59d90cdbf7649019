// DLP throughput and streaming-latency bench: engine vs a naive one-regex-per-entity baseline, in the same run.
import { createDlpEngine, type DlpEngine, type Finding } from '../src/dlp/index.js';
import { Faker, base, en } from '@faker-js/faker';
import { generateCorpus } from '../eval/dlp/corpus.js';
import { naiveScan } from '../eval/dlp/naive-baseline.js';
import { loadBaselineEngine } from './baseline-engine.js';

/** Inputs of about `size` characters made of consecutive corpus samples (PII-dense, like LLM traffic with PII). */
export function makeInputs(
  size: number,
  count: number,
  seed = 5,
  kind: 'dense' | 'sparse' | 'prose' = 'dense',
): string[] {
  const corpus = generateCorpus('test', { positives: 600, negatives: 300, seed });
  const fk = new Faker({ locale: [en, base], seed });
  // Sparse: model-answer prose with a hard negative now and then and one labeled sample in ten lines.
  // Prose: model-answer sentences with no PII and no look-alikes at all (the common case on a gateway).
  const prose = () => `${fk.lorem.sentence()} ${fk.hacker.phrase()} ${fk.company.catchPhrase()}.`;
  const texts =
    kind === 'prose'
      ? corpus.map(prose)
      : kind === 'dense'
        ? corpus.map((s) => s.text)
        : corpus.map((s, i) => (i % 10 === 0 ? s.text : s.negative ? s.text : prose()));
  const out: string[] = [];
  let k = 0;
  for (let i = 0; i < count; i++) {
    let s = '';
    while (s.length < size) s += `${texts[k++ % texts.length]}\n`;
    out.push(s.slice(0, size));
  }
  return out;
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

export interface Throughput {
  mbPerSec: number;
  /** Bytes per second of this process's CPU time: less sensitive to other processes sharing the cores. */
  mbPerCpuSec: number;
  p50us: number;
  p95us: number;
}

/** Single-thread MB/s (UTF-8 bytes) over `inputs`, repeated until ~minMs elapsed, and per-input latency. */
export function measure(scan: (t: string) => Finding[], inputs: string[], minMs = 600): Throughput {
  for (const t of inputs.slice(0, 50)) scan(t); // warm-up
  const lat: number[] = [];
  let bytes = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    for (const t of inputs) {
      const a = performance.now();
      scan(t);
      lat.push((performance.now() - a) * 1000);
      bytes += Buffer.byteLength(t);
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  return { mbPerSec: bytes / 1e6 / secs, mbPerCpuSec: bytes / 1e6 / cpuSecs, p50us: pct(lat, 50), p95us: pct(lat, 95) };
}

/** Extra latency per chunk of the stream scanner, feeding ~4-character chunks like LLM tokens. */
export function streamLatency(
  engine: DlpEngine,
  inputs: string[],
  chunkSize = 4,
): { p50us: number; p95us: number; meanUs: number; avgHeld: number; maxHeld: number; firstOut: number } {
  const lat: number[] = [];
  let held = 0;
  let maxHeld = 0;
  let firstOut = 0; // characters fed before the first non-empty output (what delays the first visible text)
  for (const text of inputs) {
    const s = engine.createStreamScanner();
    let first = -1;
    for (let i = 0; i < text.length; i += chunkSize) {
      const a = performance.now();
      const out = s.push(text.slice(i, i + chunkSize));
      lat.push((performance.now() - a) * 1000);
      if (first < 0 && out.length > 0) first = Math.min(text.length, i + chunkSize);
      held += s.pending;
      maxHeld = Math.max(maxHeld, s.pending);
    }
    s.end();
    firstOut += first < 0 ? text.length : first;
  }
  const meanUs = lat.reduce((a, b) => a + b, 0) / lat.length;
  return {
    p50us: pct(lat, 50),
    p95us: pct(lat, 95),
    meanUs,
    avgHeld: held / lat.length,
    maxHeld,
    firstOut: firstOut / inputs.length,
  };
}

export async function runBench(log: (s: string) => void = console.log): Promise<void> {
  const engine = createDlpEngine();
  await compareWithBaseline(engine, log);
  const full = (t: string) => engine.scan(t);
  // What a deployment that only needs the checksum-backed types (plus secrets) gets: no PERSON/phone/address.
  const structured = createDlpEngine({ entities: ['EMAIL_ADDRESS', 'CREDIT_CARD', 'US_SSN', 'IBAN_CODE', 'API_KEY'] });
  log('throughput (single thread, UTF-8 MB/s; latency per input)');
  log('MB/s = wall clock; cpu = per CPU-second of this process (machine shared: compare within a row)');
  log('inputs         | engine MB/s  cpu   p50 us   p95 us | naive-baseline MB/s  cpu   p50 us   p95 us');
  for (const [label, size, count, kind, scan] of [
    ['0.1 KB dense', 100, 2000, 'dense', full],
    ['2 KB dense', 2048, 300, 'dense', full],
    ['20 KB dense', 20480, 40, 'dense', full],
    ['2 KB sparse', 2048, 300, 'sparse', full],
    ['2 KB dense *', 2048, 300, 'dense', (t: string) => structured.scan(t)],
  ] as const) {
    const inputs = makeInputs(size, count, 5, kind);
    const e = measure(scan, inputs);
    const b = measure(naiveScan, inputs);
    const row = (t: Throughput, w: number) =>
      `${t.mbPerSec.toFixed(1).padStart(w)} ${t.mbPerCpuSec.toFixed(1).padStart(5)} ${t.p50us.toFixed(1).padStart(8)} ${t.p95us.toFixed(1).padStart(8)}`;
    log(`${label.padEnd(14)} | ${row(e, 11)} | ${row(b, 19)}`);
  }
  log('* engine restricted to EMAIL_ADDRESS, CREDIT_CARD, US_SSN, IBAN_CODE, API_KEY (dlp.entities)');
  // The fixed 48-character tail the scanner held before it became adaptive, measured in the same run.
  const fixedTail = createDlpEngine({
    detectors: [{ name: 'never', entity: 'NEVER', pattern: '\\u0000{3}', score: 0.1 }],
  });
  for (const [label, kind] of [
    ['PII-dense', 'dense'],
    ['prose', 'sparse'],
  ] as const) {
    const inputs = makeInputs(2048, 30, 9, kind);
    for (const [name, eng] of [
      ['adaptive', engine],
      ['fixed tail', fixedTail],
    ] as const) {
      const st = streamLatency(eng, inputs);
      log(
        `stream scanner (${name}), 2 KB ${label} outputs in 4-char chunks: per-chunk push p50 ${st.p50us.toFixed(1)} us, p95 ${st.p95us.toFixed(1)} us, mean ${st.meanUs.toFixed(1)} us; held back avg ${st.avgHeld.toFixed(1)} chars, max ${st.maxHeld}; first output after ${st.firstOut.toFixed(1)} chars`,
      );
    }
  }
  log(
    'fixed tail = an engine with a custom detector (then the scanner also holds the last 48 characters, as it always did before)',
  );
}

/**
 * This engine beside the engine of another revision (DLP_BASELINE_REF, default main) in the same run: 2 KB PII-dense
 * texts and 2 KB clean prose, and whether both find the same things on those inputs.
 */
async function compareWithBaseline(engine: DlpEngine, log: (s: string) => void): Promise<void> {
  const base = await loadBaselineEngine();
  log('same-run comparison with the current engine (targets: >= 50 MB/s dense, >= 150 MB/s prose)');
  if (typeof base === 'string') return log(base);
  log(
    `inputs         | this engine MB/s  cpu   p50 us   p95 us | ${base.ref} (${base.commit}) MB/s  cpu   p50 us   p95 us`,
  );
  const row = (t: Throughput, w: number) =>
    `${t.mbPerSec.toFixed(1).padStart(w)} ${t.mbPerCpuSec.toFixed(1).padStart(5)} ${t.p50us.toFixed(1).padStart(8)} ${t.p95us.toFixed(1).padStart(8)}`;
  for (const [label, kind] of [
    ['2 KB dense', 'dense'],
    ['2 KB prose', 'prose'],
  ] as const) {
    const inputs = makeInputs(2048, 300, 5, kind);
    const a = measure((t) => engine.scan(t), inputs, 1500);
    const b = measure((t) => base.engine.scan(t), inputs, 1500);
    log(`${label.padEnd(14)} | ${row(a, 16)} | ${row(b, 16 + base.ref.length)}`);
  }
  log('');
}

if (import.meta.url === `file://${process.argv[1]}`) await runBench();
