// The one duration and --since parser: units up to weeks, dates, epoch ms, and errors that name the field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from './errors.js';
import { parseDuration, parseSeconds, parseSince } from './duration.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');

describe('durations and --since', () => {
  it('parses durations from milliseconds to weeks', () => {
    assert.equal(parseDuration('250ms', 'x'), 250);
    assert.equal(parseDuration('90s', 'x'), 90_000);
    assert.equal(parseDuration('1.5h', 'x'), 5_400_000);
    assert.equal(parseDuration('1w', 'x'), 7 * 86_400_000);
  });

  it('reads --since as an age, an ISO date or epoch milliseconds', () => {
    assert.equal(parseSince('1w', NOW), NOW - 7 * 86_400_000);
    assert.equal(parseSince('30m', NOW), NOW - 1_800_000);
    assert.equal(parseSince('2026-03-01', NOW), Date.parse('2026-03-01'));
    assert.equal(parseSince('1772000000000', NOW), 1772000000000);
  });

  it('takes plain seconds or a duration for TTLs', () => {
    assert.equal(parseSeconds('900', 'ttl'), 900);
    assert.equal(parseSeconds('15m', 'ttl'), 900);
    assert.equal(parseSeconds(60, 'ttl'), 60);
  });

  it('names the field and the accepted forms on bad input', () => {
    assert.throws(
      () => parseSince('last tuesday', NOW, '--since'),
      (e: InvalidInputError) => e.status === 400 && e.details[0].path === '--since' && /30m, 24h, 7d/.test(e.message),
    );
    assert.throws(() => parseDuration('0s', 'window'), /window: the duration must be greater than zero/);
    assert.throws(
      () => parseSeconds('soon', 'ttl'),
      (e: InvalidInputError) => e.details[0].path === 'ttl',
    );
  });
});
