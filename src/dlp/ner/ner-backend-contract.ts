// The NerBackend contract, run against the built-in rules backend and the Presidio HTTP backend (on a fake
// Presidio server), so every backend answers in the engine's terms: UTF-16 spans, declared types, scores 0..1.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createDlpEngine } from '../engine.js';
import type { NerBackend } from './ner-backend.js';

export interface NerBackendUnderTest {
  backend: NerBackend;
  /** A person's name this backend recognizes in `My name is <name>.` */
  knownPerson: string;
  close(): Promise<void>;
}

export function nerBackendContract(open: () => Promise<NerBackendUnderTest>): void {
  const withBackend = async (fn: (t: NerBackendUnderTest) => Promise<void>) => {
    const t = await open();
    try {
      await fn(t);
    } finally {
      await t.close();
    }
  };

  it('finds a known person with offsets that slice out the name', () =>
    withBackend(async ({ backend, knownPerson }) => {
      const text = `My name is ${knownPerson}.`;
      const spans = (await backend.analyze(text)).filter((s) => s.type === 'PERSON');
      assert.equal(spans.length, 1);
      assert.equal(text.slice(spans[0].start, spans[0].end), knownPerson);
      assert.ok(spans[0].score > 0 && spans[0].score <= 1);
    }));

  it('keeps UTF-16 offsets right after astral characters (emoji count two units)', () =>
    withBackend(async ({ backend, knownPerson }) => {
      const text = `😀🎉 hi! My name is ${knownPerson}.`;
      const spans = (await backend.analyze(text)).filter((s) => s.type === 'PERSON');
      assert.deepEqual(
        spans.map((s) => text.slice(s.start, s.end)),
        [knownPerson],
      );
    }));

  it('answers nothing for empty text and for text without names', () =>
    withBackend(async ({ backend }) => {
      assert.deepEqual(await backend.analyze(''), []);
      assert.deepEqual(await backend.analyze('the invoice total is 42 dollars and due on receipt.'), []);
    }));

  it('reports only its declared entity types, inside the text', () =>
    withBackend(async ({ backend, knownPerson }) => {
      const text = `Hungarian visitor ${knownPerson} flew in from Kraków to meet Contoso GmbH at 12 Main Street.`;
      for (const s of await backend.analyze(text)) {
        assert.ok(backend.entities.includes(s.type), s.type);
        assert.ok(s.start >= 0 && s.start < s.end && s.end <= text.length);
      }
    }));

  it('answers concurrent calls each with its own spans', () =>
    withBackend(async ({ backend, knownPerson }) => {
      const texts = Array.from({ length: 8 }, (_, i) => `${'x '.repeat(i)}My name is ${knownPerson}.`);
      const all = await Promise.all(texts.map((t) => backend.analyze(t)));
      all.forEach((spans, i) => {
        const p = spans.filter((s) => s.type === 'PERSON');
        assert.deepEqual(
          p.map((s) => texts[i].slice(s.start, s.end)),
          [knownPerson],
        );
      });
    }));

  it('merges into the engine: one finding where rules and backend overlap, redacted by redactAsync', () =>
    withBackend(async ({ backend, knownPerson }) => {
      const engine = createDlpEngine({}, { ner: backend });
      const text = `My name is ${knownPerson}, email ${'zk'}@example.com.`;
      const findings = await engine.scanAsync(text);
      assert.equal(findings.filter((f) => f.type === 'PERSON').length, 1);
      const r = await engine.redactAsync(text);
      assert.ok(!r.text.includes(knownPerson), r.text);
      assert.ok(r.text.includes('[PERSON]') && r.text.includes('[EMAIL_ADDRESS]'), r.text);
    }));
}
