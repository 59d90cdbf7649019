// Gateway call records become per-type, per-direction dlp.detection events that count occurrences.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dlpDetectionsFrom } from './derived-events.js';

describe('dlpDetectionsFrom', () => {
  it('splits prompt and output findings and counts occurrences per type', () => {
    const events = dlpDetectionsFrom({
      kind: 'model.invocation',
      time: 1,
      app: 'bot',
      metrics: { 'dlp.output.US_SSN': 3, 'dlp.prompt.EMAIL_ADDRESS': 1 },
      attrs: { outputEntityTypes: 'US_SSN', promptEntityTypes: 'EMAIL_ADDRESS', outcome: 'ok' },
    });
    assert.deepEqual(
      events.map((e) => [e.attrs?.entities, e.attrs?.direction, e.metrics?.count]),
      [
        ['EMAIL_ADDRESS', 'prompt', 1],
        ['US_SSN', 'output', 3],
      ],
    );
  });
  it('derives nothing from other events or clean calls', () => {
    assert.deepEqual(dlpDetectionsFrom({ kind: 'run', time: 1, attrs: { outputEntityTypes: 'US_SSN' } }), []);
    assert.deepEqual(dlpDetectionsFrom({ kind: 'model.invocation', time: 1, attrs: { outcome: 'ok' } }), []);
  });
});
