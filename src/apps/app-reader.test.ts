// The AppReader contract on the real registry (SQLite and PostgreSQL stores) and on the in-memory fake.
import { describe } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { nullAuditSink } from '../core/sinks.js';
import { testDatabases } from '../testing/databases.js';
import { appMigrations } from './app-migrations.js';
import { appReaderContract } from './app-reader-contract.js';
import { AppRegistry } from './app-registry.js';
import type { LifecycleState } from './lifecycle-states.js';
import { manifestSchema, type AppManifest } from './manifest-schema.js';
import { MemoryApps } from './testing/memory-apps.js';

function manifest(app: string, env: 'dev' | 'prod', n: number): AppManifest {
  return manifestSchema.parse({
    apiVersion: 'gatehouse/v1',
    kind: 'App',
    metadata: { name: app, owner: 'alice' },
    spec: {
      purpose: `contract version ${n}`,
      environment: env,
      region: 'eu',
      runtime: { tier: 'wasm', entrypoint: 'main.js' },
    },
  });
}

for (const target of testDatabases) {
  describe(`AppReader contract: registry on ${target.name}`, () => {
    appReaderContract(async () => {
      const { db, cleanup } = await target.open(appMigrations);
      const registry = new AppRegistry({ db, clock: new ManualClock(), audit: nullAuditSink });
      return {
        reader: registry,
        async seed(app: string, env: 'dev' | 'prod', states: LifecycleState[]) {
          for (const [i, state] of states.entries()) {
            const m = manifest(app, env, i + 1);
            await db.transaction((tx) =>
              registry.store.insert(tx, {
                app,
                hash: `h${i}`,
                manifest: m,
                code: {},
                state,
                submittedBy: 'alice',
                createdAt: i,
              }),
            );
            registry.store.invalidate(app);
          }
        },
        close: cleanup,
      };
    });
  });
}

describe('AppReader contract: MemoryApps (the test fake)', () => {
  appReaderContract(async () => {
    const apps = new MemoryApps();
    return {
      reader: apps,
      async seed(app: string, env: 'dev' | 'prod', states: LifecycleState[]) {
        states.forEach((state, i) => apps.add(manifest(app, env, i + 1), {}, state));
      },
      close: async () => {},
    };
  });
});
