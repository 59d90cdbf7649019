// Release flow: approved → canary → released, the previous version retires, rollback brings it back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../src/core/repo-root.js';
import { startTestGatehouse, type TestGatehouse } from '../src/testing/test-gatehouse.js';

describe('app release', () => {
  let t: TestGatehouse;
  let alice: string;
  let sam: string;
  let bob: string;
  before(async () => {
    t = await startTestGatehouse();
    [alice, sam, bob] = await Promise.all([t.tokenFor('alice'), t.tokenFor('sam'), t.tokenFor('bob')]);
  });
  after(async () => t.close());

  const state = async (v: number) => (await t.gh.apps.getVersion('faq-bot', v))?.state;

  it('moves an approved version through canary to released, retiring the one it replaces, all audited', async () => {
    assert.equal(await state(1), 'approved', 'the seeded low-risk app auto-approved in dev');
    const other = await t.cli(['app', 'release', 'faq-bot'], bob);
    assert.equal(other.code, 1, 'neither owner nor operator');
    assert.match(other.err, /Only the owner of app 'faq-bot' \(alice\)/);
    const canary = await t.cli(['app', 'release', 'faq-bot', '--canary', '--json'], alice);
    assert.equal(canary.code, 0, canary.err);
    assert.equal(await state(1), 'canary');
    assert.equal((await t.cli(['app', 'release', 'faq-bot'], alice)).code, 0);
    assert.equal(await state(1), 'released');

    const dir = mkdtempSync(join(tmpdir(), 'gh-rel-'));
    cpSync(repoPath('examples', 'apps', 'faq-bot'), dir, { recursive: true });
    const m = join(dir, 'app.yaml');
    writeFileSync(m, readFileSync(m, 'utf8').replace('maxOutputTokens: 256', 'maxOutputTokens: 200'));
    const sub = await t.cli(['app', 'submit', m, '--json'], alice);
    assert.equal((JSON.parse(sub.out) as { version: number; state: string }).state, 'approved');
    const rel = await t.cli(['app', 'release', 'faq-bot', '--json'], sam);
    assert.equal(rel.code, 0, rel.err);
    assert.deepEqual(JSON.parse(rel.out), { app: 'faq-bot', version: 2, state: 'released', retired: [1] });
    assert.equal((await t.gh.apps.inForce('faq-bot'))?.version, 2);

    const again = await t.cli(['app', 'release', 'faq-bot'], alice);
    assert.equal(again.code, 1);
    assert.match(again.err, /no approved or canary version to release/);

    const rb = await t.cli(['app', 'rollback', 'faq-bot', '--reason', 'v2 answers worse', '--json'], sam);
    assert.equal(rb.code, 0, rb.err);
    assert.equal((await t.gh.apps.inForce('faq-bot'))?.version, 1, 'the retired version is known-good and comes back');

    const audit = await t.api('GET', '/api/v1/audit/entries?app=faq-bot&type=app.lifecycle&limit=50');
    const moves = (audit.body.entries as { event: { appVersion: number; data: { from: string; to: string } } }[]).map(
      (e) => `v${e.event.appVersion}:${e.event.data.from}>${e.event.data.to}`,
    );
    for (const want of [
      'v1:approved>canary',
      'v1:canary>released',
      'v2:approved>released',
      'v1:released>retired',
      'v1:retired>released',
      'v2:released>rolled_back',
    ]) {
      assert.ok(moves.includes(want), `${want} missing from ${moves.join(' ')}`);
    }
  });

  it('refuses illegal lifecycle moves with the legal ones named', async () => {
    await assert.rejects(
      t.gh.apps.lifecycle.transition({
        app: 'faq-bot',
        version: 2,
        from: 'rolled_back',
        to: 'approved',
        actor: 'admin',
        reason: 'test',
      }),
      /rolled_back; it cannot move to approved\. From rolled_back it may move to: retired/,
    );
  });
});

describe('the gateway follows releases and rollbacks at once', () => {
  it('serves the models of the version in force right after each change', async () => {
    const t = await startTestGatehouse();
    try {
      const alice = await t.tokenFor('alice');
      const made = await t.cli(['app', 'key', 'create', 'faq-bot', '--json'], alice);
      assert.equal(made.code, 0, made.err);
      const key = (JSON.parse(made.out) as { key: string }).key;
      const models = async () => {
        const r = await fetch(`${t.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
        return ((await r.json()) as { data: { id: string }[] }).data.map((m) => m.id).sort();
      };
      const first = await t.cli(['app', 'release', 'faq-bot'], alice);
      assert.equal(first.code, 0, first.err);
      assert.deepEqual(await models(), ['gpt-4o-mini']);

      const dir = mkdtempSync(join(tmpdir(), 'gh-rel-'));
      cpSync(repoPath('examples', 'apps', 'faq-bot'), dir, { recursive: true });
      const m = join(dir, 'app.yaml');
      writeFileSync(
        m,
        readFileSync(m, 'utf8').replace('  models:\n', '  models:\n    - { id: claude-haiku, maxOutputTokens: 256 }\n'),
      );
      const sub = await t.cli(['app', 'submit', m, '--json'], alice);
      assert.equal((JSON.parse(sub.out) as { state: string }).state, 'approved', sub.out);
      assert.equal((await t.cli(['app', 'release', 'faq-bot'], alice)).code, 0);
      assert.deepEqual(await models(), ['claude-haiku', 'gpt-4o-mini'], 'v2 in force at once');
      assert.equal((await t.cli(['app', 'rollback', 'faq-bot', '--reason', 'regression'])).code, 0);
      assert.deepEqual(await models(), ['gpt-4o-mini'], 'v1 back in force at once');
    } finally {
      await t.close();
    }
  });
});
