// Names and addresses beyond US English: street-then-number, PO boxes, multi-line blocks, names with diacritics.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDlpEngine, type EntityType } from './index.js';

const engine = createDlpEngine();
const found = (text: string, type: EntityType) =>
  engine.scan(text, { entities: [type] }).map((f) => text.slice(f.start, f.end));

describe('international street addresses', () => {
  const cases: [string, string][] = [
    ['Bitte an Hauptstraße 12 liefern.', 'Hauptstraße 12'],
    ['Ship to Rua das Flores 450 tomorrow', 'Rua das Flores 450'],
    ['Adresse: 12 rue de la Paix', '12 rue de la Paix'],
    ['Via Giuseppe Verdi 7 is the office', 'Via Giuseppe Verdi 7'],
    ['Calle Mayor, 3 (bajo)', 'Calle Mayor, 3'],
    ['ul. Długa 5 w Gdańsku', 'ul. Długa 5'],
    ['Ryttervej 257 er lukket', 'Ryttervej 257'],
    ['Petteripolku 499 on remontissa', 'Petteripolku 499'],
    ['Csalitos főút 83. szám alatt', 'Csalitos főút 83'],
    ['Postfach 3190, 09731 Rostock', 'Postfach 3190, 09731 Rostock'],
    ['Box 4565, 81603 Bräcke', 'Box 4565, 81603 Bräcke'],
    ['PSC 1234, Box 5678, APO AE 09123', 'PSC 1234, Box 5678, APO AE 09123'],
    ['Send to 81 Nightingale Close, SW1A 1AA London', '81 Nightingale Close, SW1A 1AA London'],
  ];
  for (const [text, want] of cases) it(`finds ${want}`, () => assert.deepEqual(found(text, 'STREET_ADDRESS'), [want]));

  it('takes a multi-line block through postal code, city and country', () => {
    const text = 'Lieferadresse:\nÖstervang 2\n5153 Rudkøbing\nDanmark\n\nDanke!';
    assert.deepEqual(found(text, 'STREET_ADDRESS'), ['Östervang 2\n5153 Rudkøbing\nDanmark']);
  });
  it('takes the postal tail of a US-form street too', () => {
    const text = '416 Yazmin Rest\n02353-2859 East Saraitown\nDenmark';
    assert.deepEqual(found(text, 'STREET_ADDRESS'), [text]);
  });
  for (const text of [
    'Postleitzahl 10115 gehört zu Berlin.',
    'Chapter 12 explains it.',
    'Via Roma is a common street name.',
    'Windows 11 shipped in 2021.',
    'Im Jahr 2020 war alles anders.',
    'Box 12 of the archive',
  ])
    it(`leaves alone: ${text}`, () => assert.deepEqual(found(text, 'STREET_ADDRESS'), []));
});

describe('names beyond US English', () => {
  const cases: [string, string][] = [
    ['My name is Zoltán Kovács.', 'Zoltán Kovács'],
    ['Contact Åsa Lindqvist today', 'Åsa Lindqvist'],
    ['The new tenant, Ryszard Kołodziejski, arrives Monday.', 'Ryszard Kołodziejski'],
    ['Signed: Isabella van Dijk', 'Isabella van Dijk'],
    ['Hallo Rebecca Axelsson, danke!', 'Rebecca Axelsson'],
    ['Hola José Álvarez, gracias.', 'José Álvarez'],
  ];
  for (const [text, want] of cases) it(`finds ${want}`, () => assert.deepEqual(found(text, 'PERSON'), [want]));
  it('does not read a greeting as part of the name', () =>
    assert.deepEqual(found('Bonjour Pélagie Renaud', 'PERSON'), ['Pélagie Renaud']));
});
