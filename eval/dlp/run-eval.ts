// `npm run eval:dlp [-- --pool tune] [--errors N]`: accuracy per entity on the held-out pool, hard negatives, throughput.
import { createDlpEngine } from '../../src/dlp/index.js';
import { runBench } from '../../bench/dlp-bench.js';
import { generateCorpus, type Pool } from './corpus.js';
import { evaluate, prf, type EvalResult } from './metrics.js';
import { naiveScan } from './naive-baseline.js';

const args = process.argv.slice(2);
const pool: Pool = args.includes('--pool') && args[args.indexOf('--pool') + 1] === 'tune' ? 'tune' : 'test';
const showErrors = args.includes('--errors') ? Number(args[args.indexOf('--errors') + 1] ?? 20) : 0;
const skipBench = args.includes('--no-bench');

const samples = generateCorpus(pool);
const engine = createDlpEngine();
const f3 = (x: number) => x.toFixed(3);

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

console.log(
  `DLP evaluation on the ${pool} pool: ${samples.filter((s) => !s.negative).length} labeled samples, ${samples.filter((s) => s.negative).length} hard negatives (seeded; span match = same type and overlap >= 0.5 of union)`,
);
const res = evaluate(samples, (t) => engine.scan(t));
report('gatehouse engine', res);
report('naive baseline (one regex per entity)', evaluate(samples, naiveScan));
if (showErrors > 0) {
  console.log('\nerrors (engine):');
  for (const e of res.errors.slice(0, showErrors))
    console.log(`${e.kind} ${e.type} ${e.id} ${JSON.stringify(e.value)}`);
}
if (!skipBench) {
  console.log('');
  runBench();
}
