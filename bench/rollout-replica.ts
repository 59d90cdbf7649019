// A second Gatehouse replica for the rollout bench: its own process, store and Redis connection; reports (over
// IPC) the moment each kill switch is in force here, so propagation is measured across real process boundaries.
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { RedisCoordination } from '../src/coord/redis-coordination.js';
import { SqliteDb } from '../src/store/sqlite-db.js';
import { migrate } from '../src/store/sql-db.js';
import { tempDir } from '../src/testing/databases.js';
import { KillSwitches } from '../src/rollout/kill-switches.js';
import { rolloutMigrations } from '../src/rollout/rollout-migrations.js';

const [url, prefix] = process.argv.slice(2);
const db = new SqliteDb(join(tempDir('gh-replica-'), 'gatehouse.db'));
await migrate(db, rolloutMigrations);
const seen = new Set<string>();
const ks: KillSwitches = new KillSwitches({
  db,
  coord: new RedisCoordination({ url, prefix }),
  audit: { append: async () => ({ index: 0 }) },
  onChange: (active) => {
    const at = performance.timeOrigin + performance.now();
    for (const k of active) {
      if (seen.has(k.target)) continue;
      seen.add(k.target);
      // what govern() would see on this replica now
      const refused = ks.checkRef({ app: k.target }) !== null;
      process.send?.({ target: k.target, at, refused });
    }
  },
});
await ks.start();
process.send?.({ ready: true });
process.on('disconnect', () => process.exit(0));
