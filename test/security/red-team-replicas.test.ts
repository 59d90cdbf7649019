// Issue 22 item 4: a revocation or a kill made on one replica holds on another within seconds, even when the
// broadcast between them is lost (each replica here has its own coordination, as when Redis is down).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogReader, UserDoc } from '../../src/catalog/catalog-schema.js';
import { ManualClock } from '../../src/core/clock.js';
import type { GovernanceRequest } from '../../src/core/governance.js';
import { HealthBoard } from '../../src/core/health.js';
import { nullAuditSink } from '../../src/core/sinks.js';
import { MemoryCoordination } from '../../src/coord/memory-coordination.js';
import { identityMigrations } from '../../src/identity/identity-migrations.js';
import { CACHE_MS, TokenService } from '../../src/identity/token-service.js';
import { CapOverlay } from '../../src/rollout/caps.js';
import { FlagService } from '../../src/rollout/flags.js';
import { KillSwitches } from '../../src/rollout/kill-switches.js';
import { rolloutMigrations } from '../../src/rollout/rollout-migrations.js';
import { testDatabases } from '../../src/testing/databases.js';

const alice: UserDoc = {
  apiVersion: 'gatehouse/v1',
  kind: 'User',
  metadata: { name: 'alice' },
  spec: { roles: ['creator'], groups: [] },
};
const catalog: CatalogReader = {
  user: (n) => (n === 'alice' ? alice : undefined),
  dataset: () => undefined,
  connector: () => undefined,
  model: () => undefined,
  list: () => [],
};
const modelCall = {
  action: 'model.invoke',
  subject: { user: 'alice', roles: [], groups: [], app: 'bot' },
  resource: { type: 'model', id: 'gpt', attributes: {} },
  request: {},
} as GovernanceRequest;

for (const target of testDatabases) {
  describe(`red team: two replicas on ${target.name}, broadcast lost`, () => {
    it('a token revoked on replica A stops working on replica B within seconds', async () => {
      const { db, connectAgain, cleanup } = await target.open(identityMigrations);
      const dbB = await connectAgain();
      const clock = new ManualClock();
      const deps = { clock, catalog, audit: nullAuditSink, adminToken: 'admin-token-for-tests-0123456789' };
      try {
        const a = new TokenService({ ...deps, db });
        const b = new TokenService({ ...deps, db: dbB });
        const root = { user: 'root', roles: ['admin' as const], groups: [] };
        const made = await a.create({ user: 'alice' }, root);
        assert.equal((await b.authenticate(made.token))?.user, 'alice', 'B has it cached now');
        await a.revoke(made.tokenId, root);
        clock.advance(CACHE_MS + 1);
        assert.equal(await b.authenticate(made.token), undefined, 'B still accepted a revoked token');
      } finally {
        await dbB.close();
        await cleanup();
      }
    });

    it('a kill set on replica A while the broadcast is lost is enforced on B within its reconcile interval', async () => {
      const { db, connectAgain, cleanup } = await target.open(rolloutMigrations);
      const dbB = await connectAgain();
      const a = new KillSwitches({ db, coord: new MemoryCoordination(), audit: nullAuditSink, reconcileMs: 0 });
      const b = new KillSwitches({ db: dbB, coord: new MemoryCoordination(), audit: nullAuditSink, reconcileMs: 50 });
      try {
        await a.start();
        await b.start();
        await a.kill({ scope: 'app', target: 'bot', reason: 'leaking', actor: 'sec' });
        assert.equal(b.check(modelCall), null, 'B has not heard yet');
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(b.check(modelCall)?.scope, 'app:bot', 'B serves a killed app');
        await a.lift({ scope: 'app', target: 'bot', reason: 'fixed now', actor: 'sec' });
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(b.check(modelCall), null, 'B keeps refusing after the lift');
      } finally {
        await a.stop();
        await b.stop();
        await dbB.close();
        await cleanup();
      }
    });

    it('a cap set on replica A while the broadcast is lost holds on B, and its lift reaches B, by reconcile', async () => {
      const { db, connectAgain, cleanup } = await target.open(rolloutMigrations);
      const dbB = await connectAgain();
      const a = new CapOverlay({ db, coord: new MemoryCoordination(), audit: nullAuditSink, reconcileMs: 0 });
      const b = new CapOverlay({ db: dbB, coord: new MemoryCoordination(), audit: nullAuditSink, reconcileMs: 50 });
      const until = async (ok: () => boolean) => {
        for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
      };
      try {
        await a.start();
        await b.start();
        await a.set({
          scope: 'app',
          target: 'bot',
          limits: { maxOutputTokens: 64 },
          durationMs: 3_600_000,
          reason: 'token spike',
          actor: 'sec',
        });
        await until(() => b.limitsFor(modelCall) !== null);
        assert.equal(b.limitsFor(modelCall)?.obligations.maxOutputTokens, 64, 'B serves without the cap');
        await a.lift('app', 'bot', 'sec', 'spike over');
        await until(() => b.limitsFor(modelCall) === null);
        assert.equal(b.limitsFor(modelCall), null, 'B keeps capping after the lift');
      } finally {
        await a.stop();
        await b.stop();
        await dbB.close();
        await cleanup();
      }
    });

    it('a flag switched off on replica A while the broadcast is lost is enforced on B by reconcile', async () => {
      const { db, connectAgain, cleanup } = await target.open(rolloutMigrations);
      const dbB = await connectAgain();
      const a = new FlagService({ db, coord: new MemoryCoordination(), audit: nullAuditSink, reconcileMs: 0 });
      const b = new FlagService({ db: dbB, coord: new MemoryCoordination(), audit: nullAuditSink, reconcileMs: 50 });
      const call = { ...modelCall, environment: 'prod' } as GovernanceRequest;
      try {
        await a.start();
        await b.start();
        await a.set({ app: 'bot', environment: 'prod', enabled: false, actor: 'ops' });
        for (let i = 0; i < 100 && b.check(call) === null; i++) await new Promise((r) => setTimeout(r, 20));
        assert.equal(b.check(call)?.code, 'flag_off', 'B serves an app switched off on A');
      } finally {
        await a.stop();
        await b.stop();
        await dbB.close();
        await cleanup();
      }
    });
  });
}

describe('red team: a lost kill broadcast is surfaced, not only logged', () => {
  it('reports kill-broadcast as degraded while publishing fails and clears it once a broadcast goes out', async () => {
    const { db, cleanup } = await testDatabases[0].open(rolloutMigrations);
    const coord = new MemoryCoordination();
    const broken = Object.assign(Object.create(coord) as MemoryCoordination, {
      publish: async () => {
        throw new Error('redis down');
      },
    });
    const health = new HealthBoard();
    const a = new KillSwitches({ db, coord: broken, audit: nullAuditSink, reconcileMs: 0, health });
    try {
      await a.start();
      await a.kill({ scope: 'app', target: 'bot', reason: 'leaking', actor: 'sec' });
      assert.equal(a.check(modelCall)?.code, 'killed', 'this replica enforces at once');
      const s = health.status();
      assert.equal(s.status, 'degraded');
      assert.match(s.problems[0].problem, /not broadcast .*redis down.*next reconcile/);
      const b = new KillSwitches({ db, coord, audit: nullAuditSink, reconcileMs: 0, health });
      await b.start();
      await b.lift({ scope: 'app', target: 'bot', reason: 'fixed now', actor: 'sec' });
      assert.equal(health.status().status, 'ok', 'a broadcast that went out clears it');
      await b.stop();
    } finally {
      await a.stop();
      await cleanup();
    }
  });
});
