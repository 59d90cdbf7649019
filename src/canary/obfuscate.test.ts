// Obfuscated copies: formats and checksums kept (SSN rules, Luhn, IBAN mod-97), repeats consistent, every tagged value
// changed, untagged columns and the row count equal; dates shifted by one amount per entity; a copy file on disk
// holds no original value.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { DatasetDoc } from '../catalog/catalog-schema.js';
import { digitsOf, ibanValid, luhnValid, ssnValid } from '../dlp/validators.js';
import { obfuscateDataset, obfuscateRows, planColumns, readDatasetTable, type Row } from './obfuscate.js';

const doc = (source?: DatasetDoc['spec']['source']): DatasetDoc => ({
  apiVersion: 'gatehouse/v1',
  kind: 'Dataset',
  metadata: { name: 'customers', owner: 'dana' },
  spec: {
    classification: 'pii',
    region: 'eu',
    source,
    columns: [
      { name: 'id', tags: [] },
      { name: 'full_name', tags: ['pii', 'person'] },
      { name: 'email', tags: ['pii', 'email'] },
      { name: 'phone', tags: ['pii'] },
      { name: 'ssn', tags: ['pii', 'us_ssn'] },
      { name: 'card', tags: ['regulated', 'credit_card'] },
      { name: 'iban', tags: ['regulated', 'iban'] },
      { name: 'address', tags: ['pii', 'address'] },
      { name: 'birth_date', tags: ['pii', 'date_of_birth'] },
      { name: 'signup_date', tags: ['pii', 'date'] },
      { name: 'plan', tags: [] },
      { name: 'notes', tags: ['pii'] },
    ],
  },
});

// Real-looking originals (valid checksums) so the fakes must be different valid values, not the same ones.
const PEOPLE = [
  [
    'Ada Lovelace',
    'ada@analytical.org',
    '+1 (415) 555-0134',
    '536-22-8147',
    '4532 0151 1283 0366',
    'GB82 WEST 1234 5698 7654 32',
  ],
  ['Grace Hopper', 'grace@navy.mil', '+1 (212) 555-0199', '219-45-3306', '5425233430109903', 'DE89370400440532013000'],
  [
    'Alan Turing',
    'alan@bletchley.uk',
    '+44 20 7946 0958',
    '401-78-5521',
    '371449635398431',
    'FR1420041010050500013M02606',
  ],
];
function sampleRows(): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < 30; i++) {
    const p = PEOPLE[i % 3];
    rows.push({
      id: i + 1,
      full_name: p[0],
      email: p[1],
      phone: p[2],
      ssn: p[3],
      card: p[4],
      iban: p[5],
      address: `${10 + (i % 3)} Downing Street, London`,
      birth_date: `19${60 + (i % 3)}-0${1 + (i % 3)}-15`,
      signup_date: `2024-03-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`,
      plan: i % 2 ? 'pro' : 'free',
      notes: `call back ${i}`,
    });
  }
  return rows;
}

describe('obfuscateRows', () => {
  const rows = sampleRows();
  const d = doc();
  const plan = planColumns(d, Object.keys(rows[0]), rows);
  const out = obfuscateRows(plan, rows, randomBytes(32));

  it('plans a fake kind for every tagged column and none for untagged ones', () => {
    const kinds = Object.fromEntries(plan.map((c) => [c.name, c.kind]));
    assert.deepEqual(kinds, {
      id: undefined,
      full_name: 'name',
      email: 'email',
      phone: 'phone',
      ssn: 'ssn',
      card: 'card',
      iban: 'iban',
      address: 'address',
      birth_date: 'date',
      signup_date: 'date',
      plan: undefined,
      notes: 'text',
    });
  });

  it('keeps the row count and untagged columns, changes every tagged value', () => {
    assert.equal(out.length, rows.length);
    for (let i = 0; i < rows.length; i++) {
      assert.equal(out[i].id, rows[i].id);
      assert.equal(out[i].plan, rows[i].plan);
      for (const c of plan.filter((p) => p.kind))
        assert.notEqual(out[i][c.name], rows[i][c.name], `${c.name} row ${i}`);
    }
  });

  it('keeps formats and checksums', () => {
    for (const r of out) {
      assert.ok(ssnValid(String(r.ssn)) && /^\d{3}-\d{2}-\d{4}$/.test(String(r.ssn)), `ssn ${String(r.ssn)}`);
      assert.ok(luhnValid(digitsOf(String(r.card))), `card ${String(r.card)}`);
      assert.ok(ibanValid(String(r.iban)), `iban ${String(r.iban)}`);
      assert.match(String(r.email), /^[a-z]+\.[a-z]+\d{4}@example\.(com|org|net)$/);
      assert.match(String(r.full_name), /^[A-Z][a-z]+ [A-Z][a-z]+$/);
      assert.match(String(r.address), /^\d+ [A-Z][a-z]+ [A-Z][a-z]+, [A-Z][a-z]+$/);
      assert.match(String(r.birth_date), /^\d{4}-\d{2}-\d{2}$/);
      assert.match(String(r.signup_date), /^\d{4}-\d{2}-\d{2}T10:00:00Z$/);
      assert.match(String(r.notes), /^[a-z]{4} [a-z]{4} \d+$/);
    }
    // Separators and lengths stay where they were.
    assert.match(String(out[0].phone), /^\+1 \(\d{3}\) \d{3}-\d{4}$/);
    assert.match(String(out[0].card), /^4532 01\d\d \d{4} \d{4}$/, 'issuer prefix kept, grouping kept');
    assert.match(String(out[0].iban), /^GB\d\d [A-Z]{4}( \d{4}){3} \d\d$/);
    assert.equal(digitsOf(String(out[2].card)).length, 15);
  });

  it('gives the same fake to the same original (repeats and joins hold) and different ones to different originals', () => {
    for (const col of ['full_name', 'email', 'ssn', 'card', 'iban', 'phone']) {
      assert.equal(out[0][col], out[3][col], col);
      assert.notEqual(out[0][col], out[1][col], col);
    }
  });

  it('shifts every date of one entity by the same number of days', () => {
    const day = 86_400_000;
    const shift = (i: number, c: string) =>
      Math.round((Date.parse(String(out[i][c])) - Date.parse(String(rows[i][c]))) / day);
    for (const i of [3, 6, 9]) {
      assert.equal(shift(i, 'birth_date'), shift(0, 'birth_date'), 'same entity, same shift');
      assert.equal(shift(i, 'signup_date'), shift(0, 'birth_date'), 'one shift for all dates of the entity');
    }
    assert.notEqual(shift(0, 'birth_date'), 0);
  });

  it('does not reproduce a mapping under a new key (the key is per copy)', () => {
    const again = obfuscateRows(plan, rows, randomBytes(32));
    assert.notEqual(again[0].ssn, out[0].ssn);
  });
});

describe('obfuscateDataset', () => {
  const home = mkdtempSync(join(tmpdir(), 'gh-obf-'));
  after(() => rmSync(home, { recursive: true, force: true }));

  it('writes a SQLite copy under the home that holds no original value and reads back with the same rows', async () => {
    const rows = sampleRows();
    const db = new Database(join(home, 'crm.db'));
    db.exec(`CREATE TABLE customers (${Object.keys(rows[0]).join(', ')})`);
    const ins = db.prepare(
      `INSERT INTO customers VALUES (${Object.keys(rows[0])
        .map(() => '?')
        .join(', ')})`,
    );
    for (const r of rows) ins.run(...Object.values(r));
    // A column the Dataset does not declare (so nobody tagged it) never reaches the copy.
    db.exec(`ALTER TABLE customers ADD COLUMN internal_note TEXT DEFAULT 'undeclared-secret-4711'`);
    db.close();
    const copy = await obfuscateDataset(doc({ kind: 'sqlite', path: 'crm.db', table: 'customers' }), { home, now: 1 });
    assert.equal(copy.rows, 30);
    assert.match(copy.path, /^canary-data\/customers-cpy_/);
    const back = await readDatasetTable(copy.doc, home);
    assert.equal(back.rows.length, 30);
    assert.deepEqual(back.columns, Object.keys(rows[0]));
    const bytes = readFileSync(join(home, copy.path)).toString('latin1');
    for (const p of PEOPLE) for (const v of p) assert.ok(!bytes.includes(v), `original '${v}' is in the copy`);
    for (const v of PEOPLE.map((p) => digitsOf(p[3]))) assert.ok(!bytes.includes(v));
    assert.ok(bytes.includes('Downing') === false);
    assert.ok(!bytes.includes('undeclared-secret-4711'), 'an undeclared column is not copied');
  });
});
