// Contract suite for the store: the same assertions against SQLite and PostgreSQL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabases } from '../testing/databases.js';
import { migrate } from './sql-db.js';

const migrations = [
  {
    id: 'contract-001',
    sql: 'CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL, n BIGINT NOT NULL, b {{BLOB}});\nCREATE TABLE seq (id {{AUTO_PK}}, note TEXT)',
  },
];

for (const target of testDatabases) {
  describe(`store contract: ${target.name}`, () => {
    it('runs migrations once and records them', async () => {
      const { db, cleanup } = await target.open(migrations);
      try {
        assert.deepEqual(await migrate(db, migrations), []);
        const ids = await db.all<{ id: string }>('SELECT id FROM schema_migrations');
        assert.deepEqual(
          ids.map((r) => r.id),
          ['contract-001'],
        );
      } finally {
        await cleanup();
      }
    });

    it('round-trips text, big integers, booleans and bytes with ? placeholders', async () => {
      const { db, cleanup } = await target.open(migrations);
      try {
        await db.run('INSERT INTO kv (k, v, n, b) VALUES (?, ?, ?, ?)', [
          'a',
          'x',
          1_700_000_000_123,
          Buffer.from([0, 255, 7]),
        ]);
        await db.run('INSERT INTO kv (k, v, n, b) VALUES (?, ?, ?, ?)', ['t', 'y', true, null]);
        const row = await db.get<{ v: string; n: number; b: Buffer }>('SELECT v, n, b FROM kv WHERE k = ?', ['a']);
        assert.equal(row?.v, 'x');
        assert.equal(row?.n, 1_700_000_000_123);
        assert.deepEqual([...(row?.b ?? [])], [0, 255, 7]);
        assert.equal((await db.get<{ n: number }>('SELECT n FROM kv WHERE k = ?', ['t']))?.n, 1);
        assert.equal(await db.get('SELECT v FROM kv WHERE k = ?', ['missing']), undefined);
      } finally {
        await cleanup();
      }
    });

    it('commits a transaction that resolves and rolls back one that throws', async () => {
      const { db, cleanup } = await target.open(migrations);
      try {
        await db.transaction(async (tx) => {
          await tx.run('INSERT INTO seq (note) VALUES (?)', ['one']);
          await tx.run('INSERT INTO seq (note) VALUES (?)', ['two']);
        });
        await assert.rejects(
          db.transaction(async (tx) => {
            await tx.run('INSERT INTO seq (note) VALUES (?)', ['three']);
            throw new Error('boom');
          }),
          /boom/,
        );
        const rows = await db.all<{ id: number; note: string }>('SELECT id, note FROM seq ORDER BY id');
        assert.deepEqual(
          rows.map((r) => r.note),
          ['one', 'two'],
        );
        assert.ok(rows[1].id > rows[0].id);
      } finally {
        await cleanup();
      }
    });

    it('keeps concurrent writes outside an open transaction out of it', async () => {
      const { db, cleanup } = await target.open(migrations);
      try {
        const inTx = db.transaction(async (tx) => {
          await tx.run('INSERT INTO seq (note) VALUES (?)', ['tx']);
          await new Promise((r) => setTimeout(r, 20));
          throw new Error('rollback');
        });
        const outside = db.run('INSERT INTO seq (note) VALUES (?)', ['outside']);
        await assert.rejects(inTx);
        await outside;
        const rows = await db.all<{ note: string }>('SELECT note FROM seq');
        assert.deepEqual(
          rows.map((r) => r.note),
          ['outside'],
        );
      } finally {
        await cleanup();
      }
    });

    it('rejects a failing migration without recording it', async () => {
      const { db, cleanup } = await target.open(migrations);
      try {
        await assert.rejects(migrate(db, [...migrations, { id: 'bad-002', sql: 'CREATE TABLE kv (k TEXT)' }]));
        const ids = await db.all<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id');
        assert.deepEqual(
          ids.map((r) => r.id),
          ['contract-001'],
        );
      } finally {
        await cleanup();
      }
    });
  });
}
