// `npm run eval:dlp [-- --pool tune] [--errors N]`: accuracy per entity on the held-out pool, hard negatives, throughput.
import { createDlpEngine } from '../../src/dlp/index.js';
import { runBench } from '../../bench/dlp-bench.js';
import { generateCorpus, type Pool } from './corpus.js';
import { generateIntlCorpus } from './intl-corpus.js';
import { evaluate, prf, type EvalResult } from './metrics.js';
import { naiveScan } from './naive-baseline.js';

const args = process.argv.slice(2);
const pool: Pool = args.includes('--pool') && args[args.indexOf('--pool') + 1] === 'tune' ? 'tune' : 'test';
const showErrors = args.includes('--errors') ? Number(args[args.indexOf('--errors') + 1] ?? 20) : 0;
const skipBench = args.includes('--no-bench');
const suite = args.includes('--suite') ? args[args.indexOf('--suite') + 1] : 'all';

const engine = createDlpEngine();
const f3 = (x: number) => x.toFixed(3);

const SOFT = new Set(['PERSON', 'STREET_ADDRESS', 'LOCATION', 'ORGANIZATION']);

function report(name: string, r: EvalResult): void {
  console.log(`\n== ${name} ==`);
  console.log('entity               precision  recall     F1   (tp/fp/fn)');
  const tot = { tp: 0, fp: 0, fn: 0 };
  for (const [type, c] of [...r.perType].sort()) {
    const { p, r: rec, f1 } = prf(c);
    tot.tp += c.tp;
    tot.fp += c.fp;
    tot.fn += c.fn;
    console.log(
      `${type.padEnd(20)} ${f3(p).padStart(9)} ${f3(rec).padStart(7)} ${f3(f1).padStart(6)}   (${c.tp}/${c.fp}/${c.fn})`,
    );
  }
  const m = prf(tot);
  console.log(
    `${'micro'.padEnd(20)} ${f3(m.p).padStart(9)} ${f3(m.r).padStart(7)} ${f3(m.f1).padStart(6)}   (${tot.tp}/${tot.fp}/${tot.fn})`,
  );
  const st = { tp: 0, fp: 0, fn: 0 };
  for (const [type, c] of r.perType)
    if (!SOFT.has(type)) {
      st.tp += c.tp;
      st.fp += c.fp;
      st.fn += c.fn;
    }
  const sm = prf(st);
  console.log(
    `${'structured (micro)'.padEnd(20)} ${f3(sm.p).padStart(9)} ${f3(sm.r).padStart(7)} ${f3(sm.f1).padStart(6)}`,
  );
  let n = 0;
  let flagged = 0;
  const parts: string[] = [];
  for (const [kind, v] of r.negatives) {
    n += v.n;
    flagged += v.flagged;
    parts.push(`${kind} ${v.flagged}/${v.n}`);
  }
  console.log(
    `hard-negative FP rate: ${((100 * flagged) / n).toFixed(2)}% (${flagged}/${n} samples flagged) [${parts.join(', ')}]`,
  );
}

function showErrs(res: EvalResult): void {
  if (showErrors <= 0) return;
  console.log('\nerrors (engine):');
  for (const e of res.errors.slice(0, showErrors))
    console.log(`${e.kind} ${e.type} ${e.id} ${JSON.stringify(e.value)}`);
}

if (suite !== 'intl') {
  const samples = generateCorpus(pool);
  console.log(
    `DLP evaluation on the ${pool} pool: ${samples.filter((s) => !s.negative).length} labeled samples, ${samples.filter((s) => s.negative).length} hard negatives (seeded; span match = same type and overlap >= 0.5 of union)`,
  );
  const res = evaluate(samples, (t) => engine.scan(t));
  report('gatehouse engine', res);
  report('naive baseline (one regex per entity)', evaluate(samples, naiveScan));
  showErrs(res);
}
if (suite !== 'us') {
  const samples = generateIntlCorpus(pool);
  console.log(
    `\nMulti-locale evaluation (13 faker locales) on the ${pool} pool: ${samples.filter((s) => !s.negative).length} labeled samples, ${samples.filter((s) => s.negative).length} hard negatives`,
  );
  const res = evaluate(samples, (t) => engine.scan(t));
  report('gatehouse engine, multi-locale', res);
  showErrs(res);
}
if (!skipBench) {
  console.log('');
  await runBench();
}
