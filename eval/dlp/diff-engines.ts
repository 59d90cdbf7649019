// `tsx eval/dlp/diff-engines.ts [--show N]`: findings of this engine vs another revision's (DLP_BASELINE_REF, default main).
// Both pools of both corpora, the bench inputs and shifted windows; examples are printed for tune-pool and bench texts
// only, so the held-out test pool stays unseen (its differences are counted, not shown).
import { loadBaselineEngine } from '../../bench/baseline-engine.js';
import { makeInputs } from '../../bench/dlp-bench.js';
import { createDlpEngine, type Finding } from '../../src/dlp/index.js';
import { generateCorpus } from './corpus.js';
import { generateIntlCorpus, testPoolReads } from './intl-corpus.js';

const args = process.argv.slice(2);
const show = args.includes('--show') ? Number(args[args.indexOf('--show') + 1]) : 20;
// --no-test: leave the held-out test pools out entirely (while tuning).
const withTest = !args.includes('--no-test');
const base = await loadBaselineEngine();
if (typeof base === 'string') throw new Error(base);
const engine = createDlpEngine();
const key = (f: Finding) => `${f.type}@${f.start}-${f.end}`;
const sets: [string, boolean, string[]][] = [
  ['us-tune', true, generateCorpus('tune').map((s) => s.text)],
  ...(withTest ? [['us-test', false, generateCorpus('test').map((s) => s.text)] as [string, boolean, string[]]] : []),
  ['intl-tune', true, generateIntlCorpus('tune').map((s) => s.text)],
  ...(withTest
    ? [['intl-test', false, generateIntlCorpus('test').map((s) => s.text)] as [string, boolean, string[]]]
    : []),
  ['bench-dense', true, makeInputs(2048, 300, 5, 'dense')],
  ['bench-prose', true, makeInputs(2048, 300, 5, 'prose')],
  ['bench-sparse', true, makeInputs(2048, 300, 5, 'sparse')],
  ['bench-0.1KB', true, makeInputs(100, 2000, 7, 'dense')],
];
let total = 0;
for (const [name, visible, texts] of sets) {
  const byKind = new Map<string, number>();
  let spanDiffs = 0;
  let scoreDiffs = 0;
  let shown = 0;
  for (const t of texts) {
    const a = base.engine.scan(t);
    const b = engine.scan(t);
    const ka = a.map(key).join(' ');
    const kb = b.map(key).join(' ');
    if (ka !== kb) {
      spanDiffs++;
      const sa = new Set(a.map(key));
      const sb = new Set(b.map(key));
      for (const f of a) if (!sb.has(key(f))) byKind.set(`-${f.type}`, (byKind.get(`-${f.type}`) ?? 0) + 1);
      for (const f of b) if (!sa.has(key(f))) byKind.set(`+${f.type}`, (byKind.get(`+${f.type}`) ?? 0) + 1);
      if (visible && shown++ < show) {
        const fmt = (fs: Finding[], other: Set<string>) =>
          fs
            .filter((f) => !other.has(key(f)))
            .map((f) => `${f.type} ${JSON.stringify(t.slice(f.start, f.end))} ${f.score}`)
            .join('; ');
        console.log(`  [${name}] old: ${fmt(a, sb) || '-'} | new: ${fmt(b, sa) || '-'}`);
      }
    } else if (a.map((f) => f.score).join() !== b.map((f) => f.score).join()) scoreDiffs++;
  }
  total += spanDiffs;
  console.log(
    `${name}: ${texts.length} texts, ${spanDiffs} differ in spans/types [${[...byKind].map(([k, v]) => `${k} ${v}`).join(', ')}], ${scoreDiffs} only in scores`,
  );
}
console.log(
  `engine vs ${base.ref} (${base.commit}): ${total} texts differ; intl test pool generated ${testPoolReads.count}x`,
);
