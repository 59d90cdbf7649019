// Obfuscating a 100,000-row table (names, e-mails, phones, SSNs, cards, IBANs, addresses, dates) beside a plain copy of
// the same table through the same reader and writer, in the same run; three rounds each, median printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DatasetDoc } from '../src/catalog/catalog-schema.js';
import { obfuscateDataset, readDatasetTable, writeSqliteTable } from '../src/canary/obfuscate.js';
import { luhnCheckDigit } from '../src/canary/fakes.js';

const N = 100_000;
const home = mkdtempSync(join(tmpdir(), 'gh-canary-bench-'));
const cols = ['id', 'full_name', 'email', 'phone', 'ssn', 'card', 'iban', 'address', 'birth_date', 'plan', 'amount'];
const db = new Database(join(home, 'crm.db'));
db.exec(`CREATE TABLE customers (${cols.join(', ')})`);
const ins = db.prepare(`INSERT INTO customers VALUES (${cols.map(() => '?').join(', ')})`);
db.transaction(() => {
  for (let i = 0; i < N; i++) {
    // About 60,000 distinct people, so repeats exercise the per-copy memo as a real table would.
    const p = i % 60_000;
    const body = `453201${String(p).padStart(9, '0')}`;
    ins.run(
      i,
      `Person${p} Surname${p % 977}`,
      `person${p}@corp.example`,
      `+1 (415) 555-${String(p % 10_000).padStart(4, '0')}`,
      `${String(100 + (p % 500)).padStart(3, '0')}-${String(10 + (p % 89)).padStart(2, '0')}-${String(1000 + p).slice(-4)}`,
      body + luhnCheckDigit(body),
      `DE${String(10 + (p % 89))}3704004405${String(p).padStart(8, '0')}`,
      `${p % 300} High Street, Springfield`,
      `19${50 + (p % 50)}-0${1 + (p % 9)}-1${p % 10}`,
      p % 3 ? 'pro' : 'free',
      p * 1.5,
    );
  }
})();
db.close();

const tag = (name: string, tags: string[]) => ({ name, tags });
const doc: DatasetDoc = {
  apiVersion: 'gatehouse/v1',
  kind: 'Dataset',
  metadata: { name: 'customers', owner: 'bench' },
  spec: {
    classification: 'pii',
    region: 'eu',
    source: { kind: 'sqlite', path: 'crm.db', table: 'customers' },
    columns: [
      tag('id', []),
      tag('full_name', ['pii', 'person']),
      tag('email', ['pii', 'email']),
      tag('phone', ['pii', 'phone']),
      tag('ssn', ['pii', 'us_ssn']),
      tag('card', ['regulated', 'credit_card']),
      tag('iban', ['regulated', 'iban']),
      tag('address', ['pii', 'address']),
      tag('birth_date', ['pii', 'date_of_birth']),
      tag('plan', []),
      tag('amount', []),
    ],
  },
};

async function plainCopy(): Promise<number> {
  const data = await readDatasetTable(doc, home);
  writeSqliteTable(join(home, 'canary-data', 'plain.db'), 'customers', data);
  return data.rows.length;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const plain: number[] = [];
const obf: number[] = [];
for (let round = 0; round < 3; round++) {
  let t = performance.now();
  await plainCopy();
  plain.push(performance.now() - t);
  t = performance.now();
  const copy = await obfuscateDataset(doc, { home, now: Date.now() });
  obf.push(performance.now() - t);
  if (copy.rows !== N) throw new Error(`copy has ${copy.rows} rows`);
  rmSync(join(home, copy.path));
}
const p = median(plain);
const o = median(obf);
console.log(`table: ${N} rows, 11 columns (8 tagged), SQLite file; load average ${loadavg()[0].toFixed(2)}`);
console.log(
  `plain copy (read + write, baseline):  ${p.toFixed(0)} ms  (rounds: ${plain.map((x) => x.toFixed(0)).join(', ')})`,
);
console.log(
  `obfuscated copy:                      ${o.toFixed(0)} ms  (rounds: ${obf.map((x) => x.toFixed(0)).join(', ')})`,
);
console.log(
  `obfuscation cost: ${(o - p).toFixed(0)} ms (${(((o - p) / N) * 1000).toFixed(2)} us/row, ${(o / p).toFixed(1)}x the plain copy)`,
);
rmSync(home, { recursive: true, force: true });
