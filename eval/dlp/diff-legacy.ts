// `tsx eval/dlp/diff-legacy.ts [--show N]`: findings of the engine vs the frozen pre-issue-19 scan on the same texts
// (both legacy eval pools and the bench inputs), grouped by what changed; the record of intended differences.
import { createDlpEngine, type Finding } from '../../src/dlp/index.js';
import { makeInputs } from '../../bench/dlp-bench.js';
import { generateLegacyCorpus } from './legacy/legacy-corpus.js';
import { createLegacyScan } from './legacy/legacy-engine.js';

const args = process.argv.slice(2);
const show = args.includes('--show') ? Number(args[args.indexOf('--show') + 1] ?? 10) : 5;

const engine = createDlpEngine();
const legacy = createLegacyScan();
const texts = [
  ...generateLegacyCorpus('tune').map((s) => s.text),
  ...generateLegacyCorpus('test').map((s) => s.text),
  ...makeInputs(2048, 60, 5, 'dense'),
  ...makeInputs(2048, 60, 5, 'sparse'),
];
const key = (f: Finding) => `${f.type}@${f.start}-${f.end}`;
const kinds = new Map<string, string[]>();
let same = 0;
for (const text of texts) {
  const a = legacy(text);
  const b = engine.scan(text);
  const ak = new Set(a.map(key));
  const bk = new Set(b.map(key));
  if (a.length === b.length && a.every((f) => bk.has(key(f)))) {
    same++;
    continue;
  }
  for (const f of a)
    if (!bk.has(key(f))) {
      const k = `lost ${f.type} (${f.detector})`;
      (kinds.get(k) ?? kinds.set(k, []).get(k)!).push(JSON.stringify(text.slice(f.start, f.end)));
    }
  for (const f of b)
    if (!ak.has(key(f))) {
      const k = `new ${f.type} (${f.detector})`;
      (kinds.get(k) ?? kinds.set(k, []).get(k)!).push(JSON.stringify(text.slice(f.start, f.end)));
    }
}
console.log(`${texts.length} texts: ${same} with identical findings, ${texts.length - same} with differences`);
for (const [k, vs] of [...kinds].sort((x, y) => y[1].length - x[1].length))
  console.log(`${String(vs.length).padStart(5)}  ${k}: ${vs.slice(0, show).join(', ')}`);
