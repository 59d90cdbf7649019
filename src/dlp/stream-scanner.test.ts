// Stream scanner: values split across chunks are still caught, the hold-back is bounded, and block works mid-stream.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../core/errors.js';
import { DlpBlockedError, createDlpEngine } from './index.js';

const engine = createDlpEngine();
const VALUES = [
  '219-09-9998',
  '4111 1111 1111 1111',
  'jane.doe@example.com',
  'DE89 3704 0044 0532 0130 00',
  'AKIAIOSFODNN7EXAMPLE',
  '(415) 555-2671',
];
const TEXT = `Sure. The record shows SSN ${VALUES[0]}, card ${VALUES[1]}, mail ${VALUES[2]}, IBAN ${VALUES[3]}, key ${VALUES[4]} and phone ${VALUES[5]}. Anything else?`;

function streamIn(chunks: string[], maxHoldback?: number) {
  const s = engine.createStreamScanner({ maxHoldback });
  let out = '';
  let maxPending = 0;
  for (const c of chunks) {
    out += s.push(c);
    maxPending = Math.max(maxPending, s.pending);
  }
  out += s.end();
  return { out, maxPending, findings: s.findings };
}

describe('stream scanner', () => {
  it('redacts like the batch API whatever the split point (two chunks, every offset)', () => {
    const batch = engine.redact(TEXT).text;
    for (let i = 1; i < TEXT.length; i++) {
      const { out } = streamIn([TEXT.slice(0, i), TEXT.slice(i)]);
      for (const v of VALUES) assert.ok(!out.includes(v), `split at ${i} leaked ${v}`);
      assert.equal(out, batch, `split at ${i}`);
    }
  });
  it('catches values fed one character at a time and in token-sized pieces', () => {
    for (const size of [1, 3, 4, 7]) {
      const chunks: string[] = [];
      for (let i = 0; i < TEXT.length; i += size) chunks.push(TEXT.slice(i, i + size));
      const { out, findings } = streamIn(chunks);
      for (const v of VALUES) assert.ok(!out.includes(v), `chunk ${size} leaked ${v}`);
      assert.deepEqual(
        findings.map((f) => TEXT.slice(f.start, f.end)),
        engine.scan(TEXT).map((f) => TEXT.slice(f.start, f.end)),
        'stream offsets point into the whole stream',
      );
    }
  });
  it('emits text before the end (it does not buffer the whole stream) and bounds what it holds', () => {
    const long = 'word '.repeat(400);
    const s = engine.createStreamScanner({ maxHoldback: 64 });
    let emitted = 0;
    let max = 0;
    for (let i = 0; i < long.length; i += 5) {
      emitted += s.push(long.slice(i, i + 5)).length;
      max = Math.max(max, s.pending);
    }
    assert.ok(emitted > long.length - 70, `emitted ${emitted} of ${long.length}`);
    assert.ok(max <= 64 + 5, `held ${max}`);
    assert.equal(emitted + s.end().length, long.length);
  });
  it('bounds the hold-back even for an unbroken run of characters', () => {
    const { maxPending, out } = streamIn(
      Array.from({ length: 200 }, () => 'abcdefghij'),
      100,
    );
    assert.ok(maxPending <= 110, `held ${maxPending}`);
    assert.equal(out.length, 2000);
  });
  it('uses context that arrived in an earlier chunk', () => {
    const { out } = streamIn(['My social security number is ', 'x'.repeat(0), '078 05 1123', ' thanks']);
    assert.equal(out, 'My social security number is [US_SSN] thanks');
  });
  it('throws DlpBlockedError when a block entity appears mid-stream', () => {
    const s = engine.createStreamScanner({ policy: { entities: { CREDIT_CARD: 'block' } } });
    assert.throws(() => {
      for (const c of [
        'Your card is 4111 11',
        '11 1111 1111 and more text follows here for a while ok',
        ' '.repeat(60),
      ])
        s.push(c);
      s.end();
    }, DlpBlockedError);
  });
  it('tokenizes in a stream and the result restores', () => {
    const s = engine.createStreamScanner({ policy: { default: 'tokenize', tokenScope: 'st' } });
    const out = s.push('mail jane.doe@exa') + s.push('mple.com now') + s.end();
    assert.match(out, /^mail \[EMAIL_ADDRESS:tk_[0-9a-f]{12}\] now$/);
    assert.equal(engine.restore(out, 'st'), 'mail jane.doe@example.com now');
  });
  it('catches values whose context words arrive after them, and multi-word values, at every split', () => {
    for (const text of [
      'Order ready. 078 05 1123 is my ssn, ok. Then Mei Ling said hi to all. Reach 4155552671 on my cell today. Born 03/14/1985 (dob) fine.',
      'Deliver to 1600 Pennsylvania Avenue NW, Washington, DC 20500 by 5th of March 2024 please, P.O. Box 4412 too.',
      '{"customer":{"name":"Isobel Olson-Doyle II","ssn":"688 11 1842"},"status":"active"}',
      'Please ship the order to 2 Elm Street, Apt 4, Rancho Santa Margarita, California 92688 and thanks.',
    ]) {
      const batch = engine.redact(text).text;
      assert.notEqual(batch, text);
      for (let i = 1; i < text.length; i++)
        assert.equal(streamIn([text.slice(0, i), text.slice(i)]).out, batch, `split at ${i}`);
      for (const size of [1, 4])
        assert.equal(
          streamIn(
            Array.from({ length: Math.ceil(text.length / size) }, (_, k) => text.slice(k * size, (k + 1) * size)),
          ).out,
          batch,
          `chunks of ${size}`,
        );
    }
  });
  it('releases ordinary prose at once: only an unfinished word (or a capitalized one) is held', () => {
    const prose =
      'The basic plan costs twelve dollars a month and includes five seats, email support and the reporting add-on. The pro plan adds single sign-on, audit exports and priority support for thirty dollars a month per workspace. Anything else?';
    const s = engine.createStreamScanner();
    const first = s.push(prose.slice(0, 12));
    assert.equal(first, 'The basic ', 'the first chunk goes out without waiting for more text');
    let held = s.pending;
    let pushes = 1;
    let out = first;
    for (let i = 12; i < prose.length; i += 12) {
      out += s.push(prose.slice(i, i + 12));
      held += s.pending;
      pushes++;
      assert.ok(s.pending <= 16, `held ${s.pending} characters of prose`);
    }
    assert.ok(held / pushes < 8, `held ${held / pushes} characters on average (a fixed tail held 48)`);
    assert.equal(out + s.end(), prose);
  });
  it('holds a fixed tail when custom detectors may match across words', () => {
    const custom = createDlpEngine({
      detectors: [{ name: 'proj', entity: 'PROJECT', pattern: 'project [a-z]+ [a-z]+', score: 0.9 }],
    });
    const text = 'we discussed the project blue falcon at length today and more words follow here.';
    const batch = custom.redact(text).text;
    assert.equal(batch, 'we discussed the [PROJECT] at length today and more words follow here.');
    for (let i = 1; i < text.length; i++) {
      const s = custom.createStreamScanner();
      assert.equal(s.push(text.slice(0, i)) + s.push(text.slice(i)) + s.end(), batch, `split at ${i}`);
    }
  });
  it('rejects a hold-back too small to hold a value', () => {
    assert.throws(() => engine.createStreamScanner({ maxHoldback: 10 }), InvalidInputError);
  });
  describe('bounded hold (dlp.stream.maxHoldMs / maxHoldChars)', () => {
    /** A scanner on a manual clock; `gap` ms pass between chunks and the timer's flush() runs when due. */
    function paced(chunks: string[], gap: number, maxHoldback?: number) {
      let t = 0;
      const s = engine.createStreamScanner({ now: () => t, maxHoldback });
      let out = '';
      let maxPending = 0;
      for (const c of chunks) {
        out += s.push(c);
        maxPending = Math.max(maxPending, s.pending);
        t += gap;
        const due = s.dueIn();
        if (due !== undefined && due <= gap) out += s.flush();
      }
      out += s.end();
      return { out, maxPending, findings: s.findings };
    }

    it('hostile: a value split across two chunks with a pause past maxHoldMs is still caught, at every offset', () => {
      const batch = engine.redact(TEXT).text;
      for (let i = 1; i < TEXT.length; i++) {
        const { out } = paced([TEXT.slice(0, i), TEXT.slice(i)], 400);
        for (const v of VALUES) assert.ok(!out.includes(v), `split at ${i} with a pause leaked ${v}`);
        assert.equal(out, batch, `split at ${i}`);
      }
    });

    it('hostile: values trickled in 3-character chunks, 300 ms apart, are caught', () => {
      const chunks: string[] = [];
      for (let i = 0; i < TEXT.length; i += 3) chunks.push(TEXT.slice(i, i + 3));
      const { out } = paced(chunks, 300);
      for (const v of VALUES) assert.ok(!out.includes(v), `leaked ${v}`);
    });

    it('ID-dense text no value is completing goes out once the pause passes maxHoldMs', () => {
      let t = 0;
      const s = engine.createStreamScanner({ now: () => t });
      const ids = 'Tickets ABC-12 DEF-34 GHI-56 JKL-78 MNO-90 PQR-11 Anna Berg Carl Dahl Erik Fors open ';
      const first = s.push(ids);
      assert.ok(s.pending > 0 || first.length === ids.length);
      const held = s.pending;
      assert.ok(held > 0, 'the adaptive hold keeps a chain of IDs and names');
      assert.equal(s.dueIn(), 250);
      t = 249;
      assert.equal(s.flush(), '', 'not due yet');
      t = 250;
      const out = first + s.flush();
      assert.equal(out, engine.redact(ids).text, 'released whole (redacted) once due: no value was being completed');
      assert.equal(s.pending, 0);
      assert.equal(s.dueIn(), undefined);
    });

    it('holds a number value still being completed past the time bound, and no more than it', () => {
      let t = 0;
      const s = engine.createStreamScanner({ now: () => t });
      let out = s.push('Total 12 items. Pay with card 4111 1111');
      t = 1000;
      out += s.flush();
      assert.ok(out.endsWith('Pay with card '), `released: ${JSON.stringify(out)}`);
      assert.equal(s.dueIn(), undefined, 'no timer spins on a value being completed');
      out += s.push(' 1111 1111 today.') + s.end();
      assert.ok(!out.includes('4111'), out);
      assert.deepEqual(
        s.findings.map((f) => f.type),
        ['CREDIT_CARD'],
      );
    });

    it('never keeps more than maxHoldChars of text no value is completing, even in one burst', () => {
      const names = 'Anna Berg Carl Dahl Erik Fors Gina Holm Ivan Juhl Karl Lund Mona Nord Olle Pihl Rita Sand '.repeat(
        3,
      );
      const { maxPending } = streamIn(names.match(/.{1,40}/g)!);
      assert.ok(maxPending <= 96 + 40, `held ${maxPending}`);
    });
  });
});
