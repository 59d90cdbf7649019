// Output DLP through the NER-aware entry point: whole answers (text, JSON values, tool-call arguments) are redacted
// with the rules plus the dlp.ner backend, counted like the rules-only guard, and fail closed when the backend fails.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDlpEngine, DlpBlockedError } from '../dlp/index.js';
import type { NerBackend } from '../dlp/ner/ner-backend.js';
import { guardAnswer, guardAnswerAsync } from './dlp-guard.js';

/** A backend that reports every `Lindqvist` as a PERSON (the rules alone do not: no context, no given name). */
function fakeNer(fail = false): NerBackend {
  return {
    name: 'ner:fake',
    entities: ['PERSON'],
    analyze(text) {
      if (fail) return Promise.reject(new Error('backend down'));
      return Promise.resolve(
        [...text.matchAll(/Lindqvist/g)].map((m) => ({
          type: 'PERSON' as const,
          start: m.index,
          end: m.index + 9,
          score: 0.9,
        })),
      );
    },
  };
}

describe('guardAnswerAsync (model outputs through the NER backend)', () => {
  const dlp = createDlpEngine({}, { ner: fakeNer() });
  const answer = {
    text: 'Ask Lindqvist or mail ab@example.com',
    toolCalls: [{ id: 'c1', name: 'crm', arguments: '{"who":"Lindqvist"}' }],
  };

  it('masks what the backend finds in text and tool-call arguments, and counts it', async () => {
    const findings: Record<string, number> = {};
    const out = await guardAnswerAsync(dlp, 'mask', answer, 's1', false, false, findings);
    assert.equal(out.text, 'Ask [PERSON] or mail [EMAIL_ADDRESS]');
    assert.equal(out.toolCalls?.[0].arguments, '{"who":"[PERSON]"}');
    assert.deepEqual(findings, { PERSON: 2, EMAIL_ADDRESS: 1 });
    // The rules-only guard misses the name: the difference is the backend.
    assert.equal(guardAnswer(dlp, 'mask', answer, 's1', false, false).text, 'Ask Lindqvist or mail [EMAIL_ADDRESS]');
  });

  it('redacts inside JSON string values and keeps the document valid', async () => {
    const out = await guardAnswerAsync(dlp, 'mask', { text: '{"a":["Lindqvist",1],"b":"x"}' }, 's1', false, true);
    assert.deepEqual(JSON.parse(out.text), { a: ['[PERSON]', 1], b: 'x' });
  });

  it('blocks with the counts of what it found, and fails closed when the backend cannot answer', async () => {
    const findings: Record<string, number> = {};
    await assert.rejects(guardAnswerAsync(dlp, 'block', answer, 's1', false, false, findings), DlpBlockedError);
    assert.equal(findings.PERSON, 1);
    const down = createDlpEngine({}, { ner: fakeNer(true) });
    await assert.rejects(guardAnswerAsync(down, 'mask', answer, 's1', false, false), /backend down/);
  });

  it('leaves the answer alone in allow mode and restores tokens for callers allowed to see them', async () => {
    assert.equal((await guardAnswerAsync(dlp, 'allow', answer, 's1', false, false)).text, answer.text);
    const tok = dlp.redact('mail ab@example.com', { default: 'tokenize', tokenScope: 's2' }).text;
    const out = await guardAnswerAsync(dlp, 'tokenize', { text: `${tok}, Lindqvist` }, 's2', true, false);
    assert.equal(out.text, 'mail ab@example.com, [PERSON]');
  });
});
