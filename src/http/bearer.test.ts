// The bearer parser every surface uses: case-insensitive scheme, trimmed token, nothing for other schemes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBearer } from './bearer.js';

describe('parseBearer', () => {
  it('reads the token after Bearer, whatever the case and spacing', () => {
    assert.equal(parseBearer('Bearer gh_abc'), 'gh_abc');
    assert.equal(parseBearer('  bearer   ghk_x.y  '), 'ghk_x.y');
  });
  it('returns nothing for a missing header, another scheme or an empty token', () => {
    assert.equal(parseBearer(undefined), undefined);
    assert.equal(parseBearer('Basic dXNlcjpwYXNz'), undefined);
    assert.equal(parseBearer('Bearer    '), undefined);
    assert.equal(parseBearer('gh_abc'), undefined);
  });
});
