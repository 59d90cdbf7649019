// sseResponse: a client that goes away still runs the stream's cleanup (settle the budget, record the call), even
// when it leaves before the first frame was pulled.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sseResponse } from './surface-common.js';

function tracked(): { frames: AsyncGenerator<string>; cleaned: () => boolean } {
  let cleaned = false;
  async function* frames(): AsyncGenerator<string> {
    try {
      yield 'data: one\n\n';
      yield 'data: two\n\n';
    } finally {
      cleaned = true;
    }
  }
  return { frames: frames(), cleaned: () => cleaned };
}

describe('sseResponse cancellation', () => {
  it('runs the stream cleanup when the client leaves before the first frame', async () => {
    const t = tracked();
    const res = sseResponse(t.frames, {});
    await res.body!.cancel();
    assert.equal(t.cleaned(), true);
  });

  it('runs it when the client leaves mid-stream', async () => {
    const t = tracked();
    const reader = sseResponse(t.frames, {}).body!.getReader();
    await reader.read();
    await reader.cancel();
    assert.equal(t.cleaned(), true);
  });
});
