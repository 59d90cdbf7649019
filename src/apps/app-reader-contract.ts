// The AppReader contract, run against the registry on a real store and against the in-memory fake, so the fake
// cannot drift from the rules production has (which version is in force, in which environment, in which state).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { LifecycleState } from './lifecycle-states.js';
import type { AppReader } from './manifest-schema.js';

/** A reader under test plus a way to store versions in given states (through the real path where there is one). */
export interface AppReaderUnderTest {
  reader: AppReader;
  /** Stores versions 1..n of `app` in `env`, then moves each to its state. */
  seed(app: string, env: 'dev' | 'prod', states: LifecycleState[]): Promise<void>;
}

export function appReaderContract(open: () => Promise<AppReaderUnderTest & { close(): Promise<void> }>): void {
  it('lists versions in order and reads one or the latest', async () => {
    const t = await open();
    try {
      await t.seed('lister', 'dev', ['approved', 'draft', 'rejected']);
      assert.deepEqual(
        (await t.reader.listVersions('lister')).map((v) => v.version),
        [1, 2, 3],
      );
      assert.equal((await t.reader.latestVersion('lister'))?.version, 3);
      assert.equal((await t.reader.getVersion('lister', 2))?.state, 'draft');
      assert.equal(await t.reader.getVersion('lister', 9), undefined);
      assert.equal(await t.reader.latestVersion('nobody'), undefined);
    } finally {
      await t.close();
    }
  });

  it('puts the newest released version in force over a newer canary or approved one', async () => {
    const t = await open();
    try {
      await t.seed('served', 'prod', ['released', 'released', 'canary', 'approved']);
      assert.equal((await t.reader.inForce('served'))?.version, 2);
    } finally {
      await t.close();
    }
  });

  it('lets an approved version act only in dev', async () => {
    const t = await open();
    try {
      await t.seed('dev-app', 'dev', ['approved']);
      await t.seed('prod-app', 'prod', ['approved']);
      assert.equal((await t.reader.inForce('dev-app'))?.version, 1);
      assert.equal(await t.reader.inForce('prod-app'), undefined, 'approved is not in force in prod');
    } finally {
      await t.close();
    }
  });

  it('has nothing in force when every version is killed, rolled back, retired or under review', async () => {
    const t = await open();
    try {
      await t.seed('gone', 'dev', ['killed', 'rolled_back', 'retired', 'pending_approval']);
      assert.equal(await t.reader.inForce('gone'), undefined);
    } finally {
      await t.close();
    }
  });
}
