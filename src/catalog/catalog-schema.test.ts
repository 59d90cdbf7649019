// Catalog schema rules that are easy to get wrong: TrustPolicy token lifetimes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trustPolicySchema } from './catalog-schema.js';

const policy = (ttl?: string) => ({
  apiVersion: 'gatehouse/v1',
  kind: 'TrustPolicy',
  metadata: { name: 'ci' },
  spec: {
    issuer: 'https://token.actions.githubusercontent.com',
    audience: 'gatehouse',
    subject: 'repo:acme/*',
    actAs: { user: 'ci-bot' },
    allowedActions: ['submit'],
    ...(ttl === undefined ? {} : { ttl }),
  },
});

describe('TrustPolicy ttl', () => {
  it('takes the durations every other ttl takes and defaults to 15m', () => {
    assert.equal(trustPolicySchema.parse(policy()).spec.ttl, '15m');
    for (const ttl of ['90s', '30m', '1h', '0.5h', '3600s'])
      assert.equal(trustPolicySchema.parse(policy(ttl)).spec.ttl, ttl);
  });

  it('refuses a lifetime over 1h instead of clamping it, naming the limit', () => {
    const r = trustPolicySchema.safeParse(policy('2h'));
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0].message, /over the 1h limit/);
    assert.deepEqual(r.error!.issues[0].path, ['spec', 'ttl']);
  });

  it('refuses text that is not a duration with the shared parser message', () => {
    const r = trustPolicySchema.safeParse(policy('soon'));
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0].message, /'soon' is not a duration/);
  });
});
