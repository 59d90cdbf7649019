// Whose per-user budget a call spends: the authenticated user, or one shared bucket for names an app key sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Caller } from './gateway-types.js';
import { ANONYMOUS_BUCKET, budgetUserOf } from './model-invoker.js';

const caller = (via: string, user: string) => ({ app: 'a', user, via }) as unknown as Caller;

test('users Gatehouse authenticated spend their own budget; a user an app key names shares one bucket', () => {
  assert.equal(budgetUserOf(caller('identity', 'sophie')), 'sophie', 'an API or IdP token of a user');
  assert.equal(budgetUserOf(caller('session', 'bob')), 'bob');
  assert.equal(budgetUserOf(caller('internal', 'run-user')), 'run-user');
  assert.equal(budgetUserOf(caller('key_123', 'anyone-the-request-names')), ANONYMOUS_BUCKET);
});
