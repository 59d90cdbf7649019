// End to end over real HTTP on 127.0.0.1: the audit API and `gatehouse audit ...` commands, including tampering.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { runCli } from '../cli/program.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { buildApp, listen, type RunningServer } from '../http/server.js';
import type { Principal } from '../identity/principal.js';
import { testDatabases, tempDir } from '../testing/databases.js';
import type { SqlDb } from '../store/sql-db.js';
import { auditMigrations } from './audit-migrations.js';
import { AuditLog } from './audit-log.js';
import { auditRoutes } from './audit-routes.js';
import { rawPublicKey, verifierKeyString } from './note.js';
import { apiSource, AuditVerificationError, unpackEntries } from './audit-client.js';
import { createApiClient } from '../cli/cli-context.js';

const sqlite = testDatabases.find((t) => t.name === 'sqlite')!;
const principals: Record<string, Principal> = {
  'auditor-token': { user: 'ann', roles: ['auditor'], groups: [] },
  'creator-token': { user: 'carl', roles: ['creator'], groups: [] },
};

describe('audit CLI and API over HTTP', () => {
  let db: SqlDb;
  let home: string;
  let cleanup: () => Promise<void>;
  let log: AuditLog;
  let server: RunningServer;
  let cliHome: string;
  // A witness on 127.0.0.1: takes POSTed notes, serves them back as JSON lines.
  const witnessed: string[] = [];
  let witness: Server;
  let witnessUrl: string;
  const work = tempDir('gatehouse-audit-cli-');

  const cli = async (args: string[], token = 'auditor-token') => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      args,
      { out: (s) => out.push(s), err: (s) => err.push(s) },
      { GATEHOUSE_URL: server.url, GATEHOUSE_TOKEN: token, GATEHOUSE_HOME: cliHome },
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  before(async () => {
    ({ db, home, cleanup } = await sqlite.open(auditMigrations));
    cliHome = tempDir('gatehouse-audit-clihome-');
    witness = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method === 'POST') witnessed.push(body);
        res.end(req.method === 'GET' ? witnessed.map((n) => JSON.stringify({ checkpoint: n })).join('\n') : '');
      });
    });
    await new Promise<void>((r) => witness.listen(0, '127.0.0.1', r));
    witnessUrl = `http://127.0.0.1:${(witness.address() as AddressInfo).port}/witness`;
    log = await AuditLog.open({
      db,
      home,
      clock: new ManualClock(),
      logger: silentLogger,
      config: { maxBatch: 10, witnessFile: 'witness.jsonl', witnessUrl },
    });
    for (let i = 0; i < 30; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          log.append({
            type: j % 3 ? 'decision' : 'approval.granted',
            actor: 'ann',
            app: j % 2 ? 'crm' : 'notes',
            data: { n: i + j },
          }),
        ),
      );
    }
    const app = buildApp({
      routes: auditRoutes(log),
      authenticate: async (t) => principals[t],
      maxBodyBytes: 1 << 20,
      logger: silentLogger,
      version: 'test',
    });
    server = await listen(app, '127.0.0.1', 0);
  });
  after(async () => {
    await server.close();
    await log.close();
    await new Promise((r) => witness.close(r));
    await cleanup();
  });

  it('verifies an untouched log, pins the key on first use, and checks a saved checkpoint and the witness', async () => {
    const saved = await cli(['audit', 'checkpoint']);
    assert.equal(saved.code, 0, saved.err);
    assert.match(saved.out, /^gatehouse\/audit\n30\n/);
    writeFileSync(join(work, 'saved.txt'), saved.out); // as a terminal may save it: no final newline
    await log.append({ type: 'kill.set', actor: 'sec', app: 'crm', data: {} });
    const r = await cli([
      'audit',
      'verify',
      '--checkpoint',
      join(work, 'saved.txt'),
      '--witness',
      join(home, 'witness.jsonl'),
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /ok: 31 entries recomputed/);
    assert.match(r.out, /extends 5 saved\/witnessed checkpoint/);
    assert.equal(readFileSync(join(cliHome, 'audit-verifier-key'), 'utf8').trim(), log.verifierKey);
    await log.flush();
    assert.equal(witnessed.length, 4);
    const w = await cli(['audit', 'verify', '--witness', witnessUrl]);
    assert.equal(w.code, 0, w.err);
    assert.match(w.out, /extends 4 saved\/witnessed checkpoint/);
  });

  it('writes a proof that verifies offline, and rejects an altered proof or a proof under another key', async () => {
    const p = await cli(['audit', 'proof', '7']);
    assert.equal(p.code, 0, p.err);
    const proof = JSON.parse(p.out) as Record<string, unknown>;
    assert.deepEqual(Object.keys(proof).sort(), [
      'checkpoint',
      'entry',
      'inclusionPath',
      'leafHash',
      'leafIndex',
      'rootHash',
      'treeSize',
      'verifierKey',
    ]);
    assert.equal(proof.verifierKey, log.verifierKey);
    writeFileSync(join(work, 'proof.json'), p.out);
    const ok = await cli(['audit', 'verify-proof', join(work, 'proof.json')]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /ok: entry 7 \(decision by ann/);

    const entry = Buffer.from(String(proof.entry), 'base64').toString().replace('"n":7', '"n":8');
    writeFileSync(
      join(work, 'forged.json'),
      JSON.stringify({ ...proof, entry: Buffer.from(entry).toString('base64') }),
    );
    const bad = await cli(['audit', 'verify-proof', join(work, 'forged.json')]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /proof rejected: entry 7: inclusion proof does not lead to the expected root/);

    const other = verifierKeyString('gatehouse/audit', rawPublicKey(generateKeyPairSync('ed25519').privateKey));
    const foreign = await cli(['audit', 'verify-proof', join(work, 'proof.json'), '--key', other]);
    assert.equal(foreign.code, 1);
    assert.match(foreign.err, /proof rejected: it names verifier key/);
  });

  it('lists with filters and exports JSON lines; a creator may not read', async () => {
    const l = await cli(['audit', 'list', '--type', 'approval', '--app', 'notes', '--since', '3650d', '--json']);
    assert.equal(l.code, 0, l.err);
    const listed = JSON.parse(l.out) as { entries: { event: { type: string; app: string } }[] };
    assert.ok(listed.entries.length > 0);
    assert.ok(listed.entries.every((e) => e.event.type === 'approval.granted' && e.event.app === 'notes'));
    const ex = await cli(['audit', 'export']);
    const lines = ex.out.split('\n').map((s) => JSON.parse(s) as { index: number; entry: string });
    assert.deepEqual(
      lines.map((x) => x.index),
      Array.from({ length: 31 }, (_, i) => i),
    );
    const denied = await cli(['audit', 'list'], 'creator-token');
    assert.equal(denied.code, 1);
    assert.match(denied.err, /needs one of: auditor, security/);
    const badIndex = await cli(['audit', 'proof', '999']);
    assert.equal(badIndex.code, 2, badIndex.err);
  });

  it('serves packed pages that match the entries, and a malformed packed page fails verification closed', async () => {
    const api = createApiClient(server.url, 'auditor-token');
    const page = await apiSource(api).packedEntries!(3, 5);
    const listed = await log.entries({ start: 3, limit: 5 });
    assert.deepEqual(Array.from(page.indexes), [3, 4, 5, 6, 7]);
    listed.forEach((e, k) => {
      assert.ok(
        Buffer.from(page.data)
          .subarray(page.offsets[k], page.offsets[k + 1])
          .equals(e.leaf),
      );
      assert.ok(
        Buffer.from(page.hashes)
          .subarray(k * 32, k * 32 + 32)
          .equals(e.leafHash),
      );
    });
    const good = {
      indexes: [0],
      lengths: [2],
      leaves: Buffer.from('{}').toString('base64'),
      leafHashes: Buffer.alloc(32).toString('base64'),
    };
    assert.equal(unpackEntries(good).indexes.length, 1);
    assert.throws(() => unpackEntries({ ...good, lengths: [3] }), AuditVerificationError);
    assert.throws(() => unpackEntries({ ...good, leafHashes: '' }), AuditVerificationError);
    assert.throws(() => unpackEntries({ ...good, indexes: [0.5] }), AuditVerificationError);
  });

  it('exits 1 naming the first bad index after a byte is flipped in the SQLite file', async () => {
    const e = await log.entry(12);
    const flipped = Buffer.from(e.leaf);
    flipped[30] ^= 1;
    const raw = new Database(join(home, 'gatehouse.db'));
    raw.prepare('UPDATE audit_entries SET leaf = ? WHERE idx = 12').run(flipped);
    raw.close();
    const r = await cli(['audit', 'verify']);
    assert.equal(r.code, 1);
    assert.match(r.err, /verification FAILED at index 12: entry 12 does not match its recorded leaf hash/);
  });
});
