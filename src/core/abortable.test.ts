// abortable(): a kill lands while a stream waits for its next chunk: the consumer gets the reason at once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { abortable } from './abortable.js';

describe('abortable', () => {
  it('passes every item through when never aborted', async () => {
    async function* src() {
      yield 1;
      yield 2;
    }
    const got: number[] = [];
    for await (const x of abortable(src(), new AbortController().signal)) got.push(x);
    assert.deepEqual(got, [1, 2]);
  });

  it('stops a stalled source when the signal aborts, closes it, and throws the reason', async () => {
    let closed = false;
    let release!: () => void;
    const stall = new Promise<void>((r) => (release = r));
    async function* src() {
      try {
        yield 'first';
        await stall; // the upstream stalls
        yield 'late';
      } finally {
        closed = true;
      }
    }
    const ctl = new AbortController();
    const got: string[] = [];
    const run = (async () => {
      for await (const x of abortable(src(), ctl.signal)) {
        got.push(x);
        setTimeout(() => ctl.abort(new Error('Kill switch kil_1 on app bot: leak')), 5);
      }
    })();
    await assert.rejects(run, /Kill switch kil_1 on app bot: leak/);
    assert.deepEqual(got, ['first']);
    assert.equal(closed, false, 'the stalled read is still pending');
    release();
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(closed, true, 'the source is closed once its pending read ends, and yields nothing more');
    assert.deepEqual(got, ['first']);
  });

  it('throws before the first item when already aborted', async () => {
    async function* src() {
      yield 1;
    }
    await assert.rejects(
      (async () => {
        for await (const _ of abortable(src(), AbortSignal.abort(new Error('killed')))) {
          /* none */
        }
      })(),
      /killed/,
    );
  });
});
