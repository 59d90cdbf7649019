// Claims to roles and names: groups, roles, nested claims, verified email domains, and names that cannot squat.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mapClaims, userNameFrom } from './role-mapping.js';

const rules = [
  { claim: 'groups', value: 'sec-team', roles: ['security' as const], groups: ['security'] },
  { claim: 'realm_access.roles', value: 'gh-admin', roles: ['admin' as const], groups: [] },
  { claim: 'email_domain', value: 'acme.test', roles: ['creator' as const], groups: ['staff'] },
];

describe('role mapping', () => {
  it('maps groups, nested roles and verified email domains; nothing for unverified email', () => {
    assert.deepEqual(mapClaims({ groups: ['sec-team', 'x'], email: 'a@ACME.test', email_verified: true }, rules), {
      roles: ['creator', 'security'],
      groups: ['security', 'staff'],
    });
    assert.deepEqual(mapClaims({ realm_access: { roles: ['gh-admin'] } }, rules).roles, ['admin']);
    assert.deepEqual(mapClaims({ email: 'a@acme.test', email_verified: false }, rules).roles, []);
    assert.deepEqual(mapClaims({ groups: 'sec-team-2' }, rules).roles, [], 'exact values only');
  });

  it('derives catalog names from the configured claim or sub', () => {
    assert.equal(
      userNameFrom({ preferred_username: 'Sophie.Martin@acme.test', sub: 'x' }, 'preferred_username'),
      'sophie.martin-acme.test',
    );
    assert.equal(userNameFrom({ sub: 'auth0|12345' }, 'preferred_username'), 'auth0-12345');
    assert.equal(userNameFrom({ sub: '---' }, 'preferred_username'), undefined);
  });
});
