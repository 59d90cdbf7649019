// The pure key checks: expiry defaults, model patterns, CIDR matching (IPv4, IPv6, IPv4-mapped) and the client
// address behind trusted proxies.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GatehouseError } from '../core/errors.js';
import {
  checkKeyAccess,
  checkLimits,
  clientIp,
  DEFAULT_KEY_TTL_SECONDS,
  expiryOf,
  ipAllowed,
  modelAllowed,
  type KeyGrant,
} from './key-policy.js';

const grant = (over: Partial<KeyGrant> = {}): KeyGrant => ({
  id: 'key_1',
  kind: 'app',
  limits: {},
  metadata: {},
  ...over,
});

describe('key policy', () => {
  it('expiry: 90 days by default, never only when asked, a duration otherwise; bad ttl is a 400', () => {
    assert.equal(expiryOf(undefined, 1000), 1000 + DEFAULT_KEY_TTL_SECONDS * 1000);
    assert.equal(expiryOf('never', 1000), undefined);
    assert.equal(expiryOf('12h', 0), 12 * 3_600_000);
    assert.throws(
      () => expiryOf('forever', 0),
      (e: GatehouseError) => e.status === 400,
    );
  });

  it('models: exact names and globs; an empty list allows every model', () => {
    assert.ok(modelAllowed({}, 'anything'));
    assert.ok(modelAllowed({ models: ['gpt-*', 'claude-small'] }, 'gpt-4o'));
    assert.ok(modelAllowed({ models: ['gpt-*', 'claude-small'] }, 'claude-small'));
    assert.ok(!modelAllowed({ models: ['gpt-*', 'claude-small'] }, 'claude-smaller'));
    assert.ok(!modelAllowed({ models: ['gpt.small'] }, 'gptXsmall'), 'a dot is literal');
  });

  it('networks: IPv4 and IPv6 CIDRs, single addresses, IPv4-mapped peers; garbage never matches', () => {
    assert.ok(ipAllowed(['10.0.0.0/8'], '10.200.1.1'));
    assert.ok(!ipAllowed(['10.0.0.0/8'], '11.0.0.1'));
    assert.ok(ipAllowed(['10.0.0.0/8'], '::ffff:10.1.2.3'), 'IPv4-mapped IPv6 peer');
    assert.ok(ipAllowed(['2001:db8::/32'], '2001:db8:1::5'));
    assert.ok(!ipAllowed(['2001:db8::/32'], '2001:db9::1'));
    assert.ok(ipAllowed(['192.0.2.7'], '192.0.2.7'));
    assert.ok(!ipAllowed(['192.0.2.7'], '192.0.2.8'));
    assert.ok(!ipAllowed(['10.0.0.0/8'], 'not-an-ip'));
    assert.ok(!ipAllowed(['10.0.0.0/8'], undefined));
    assert.ok(ipAllowed(undefined, undefined), 'no networks: any source');
  });

  it('client address: the peer, or behind a trusted proxy the rightmost untrusted hop', () => {
    assert.equal(clientIp({ peer: '203.0.113.1', forwardedFor: '10.0.0.1' }, []), '203.0.113.1');
    assert.equal(clientIp({ peer: '203.0.113.1', forwardedFor: '10.0.0.1' }, ['127.0.0.1']), '203.0.113.1');
    assert.equal(clientIp({ peer: '127.0.0.1', forwardedFor: '10.0.0.1' }, ['127.0.0.1']), '10.0.0.1');
    assert.equal(
      clientIp({ peer: '127.0.0.1', forwardedFor: '10.0.0.1, 198.51.100.2, 127.0.0.2' }, ['127.0.0.0/8']),
      '198.51.100.2',
    );
  });

  it('limits are validated at creation: a bad CIDR or model pattern is a 400 naming the field', () => {
    assert.throws(() => checkLimits({ cidrs: ['10.0.0.0/33'] }), /cidrs: '10\.0\.0\.0\/33'/);
    assert.throws(() => checkLimits({ models: ['gpt small'] }), /models:/);
    assert.deepEqual(checkLimits({ cidrs: ['::1', '10.0.0.0/8'] }), { cidrs: ['::1', '10.0.0.0/8'] });
  });

  it('access: expired is 401 naming the expiry; outside the networks is 403 naming the address', () => {
    assert.throws(
      () => checkKeyAccess(grant({ expiresAt: 5000 }), 5000, undefined),
      (e: GatehouseError) => e.status === 401 && /expired at 1970-01-01T00:00:05\.000Z/.test(e.message),
    );
    assert.doesNotThrow(() => checkKeyAccess(grant({ expiresAt: 5000 }), 4999, undefined));
    assert.throws(
      () => checkKeyAccess(grant({ limits: { cidrs: ['10.0.0.0/8'] } }), 0, '192.0.2.1'),
      (e: GatehouseError) => e.status === 403 && /may not be used from 192\.0\.2\.1/.test(e.message),
    );
  });
});
