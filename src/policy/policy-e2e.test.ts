// End to end on a real server (SQLite, HTTP on 127.0.0.1) through the CLI: seeded bundle, test, eval, govern, decisions, simulate, activate.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../core/repo-root.js';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';

const EXAMPLES = repoPath('examples', 'policies');

function copyExamples(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gh-policies-'));
  cpSync(EXAMPLES, dir, { recursive: true });
  return dir;
}

const unapprovedConnector = {
  action: 'connector.call',
  subject: { user: 'alice', roles: ['creator'], app: 'transcript-insights' },
  resource: {
    type: 'connector',
    id: 'pastebin-export',
    attributes: { sensitive: true, approved: false, owner: 'sam' },
  },
  request: { method: 'POST' },
  app: { name: 'transcript-insights', environment: 'prod', connectors: ['pastebin-export'] },
};

describe('policy engine end to end (sqlite)', () => {
  let t: TestGatehouse;
  let reqFile: string;
  before(async () => {
    t = await startTestGatehouse({ store: 'sqlite' });
    reqFile = join(t.home, 'request.json');
    writeFileSync(reqFile, JSON.stringify(unapprovedConnector));
  });
  after(async () => t.close());

  it('seeds the example bundle as the active revision on first start', async () => {
    const r = await t.cli(['policy', 'list', '--json']);
    assert.equal(r.code, 0, r.err);
    const body = JSON.parse(r.out) as {
      active: string;
      revisions: { revision: string; active: boolean; policies: string[] }[];
    };
    assert.equal(body.revisions.length, 1);
    assert.equal(body.revisions[0].revision, body.active);
    assert.ok(body.revisions[0].policies.includes('deny_unapproved_connector'));
  });

  it('`policy test` passes the examples and fails a wrong expectation with a diff and exit 1', async () => {
    const ok = await t.cli(['policy', 'test', EXAMPLES]);
    assert.equal(ok.code, 0, ok.out + ok.err);
    assert.match(ok.out, /\d+ passed, 0 failed/);
    const dir = copyExamples();
    const f = join(dir, 'limit-model-tokens.test.yaml');
    writeFileSync(
      f,
      readFileSync(f, 'utf8').replace(
        'obligations: { maxInputTokens: 1024, maxOutputTokens: 512, maxCostUsd: 5 }',
        'obligations: { maxInputTokens: 2048, maxOutputTokens: 512, maxCostUsd: 5 }',
      ),
    );
    const bad = await t.cli(['policy', 'test', dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /FAIL {2}model-call-gets-token-limits/);
    assert.match(bad.out, /-\s+maxInputTokens: 2048/);
    assert.match(bad.out, /\+\s+maxInputTokens: 1024/);
  });

  it('`policy test` reports a CEL typo with file, line, column and policy, exit 2', async () => {
    const dir = copyExamples();
    const f = join(dir, 'deny-unapproved-connector.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('!resource.approved &&', '!resource.aproved &&'));
    const r = await t.cli(['policy', 'test', dir]);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /deny-unapproved-connector\.yaml:12:15: policy deny_unapproved_connector: condition does not type-check: No such key: aproved/,
    );
  });

  it('`policy eval` denies an unapproved sensitive connector with the policy message, locally and on the server', async () => {
    for (const args of [['--bundle', EXAMPLES], []]) {
      const r = await t.cli(['policy', 'eval', '--input', reqFile, ...args, '--json']);
      assert.equal(r.code, 0, r.err + r.out);
      const d = JSON.parse(r.out) as { effect: string; reason: string; matched: { policy: string }[] };
      assert.equal(d.effect, 'deny');
      assert.equal(
        d.reason,
        'Connector pastebin-export is not approved for this app; ask its owner sam to approve it in the catalog',
      );
      assert.deepEqual(
        d.matched.map((m) => m.policy),
        ['deny_unapproved_connector'],
      );
    }
    writeFileSync(join(t.home, 'bad.json'), JSON.stringify({ action: 'x', subject: {}, resource: { type: 'model' } }));
    const bad = await t.cli(['policy', 'eval', '--input', join(t.home, 'bad.json')]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /subject.user/);
  });

  it('records govern() decisions, lists them by app and effect, and simulates a stricter bundle', async () => {
    // faq-bot auto-approves in dev once admission is wired; make sure a version is in force either way.
    const v = await t.gh.apps.latestVersion('faq-bot');
    if (!(await t.gh.apps.inForce('faq-bot')))
      await t.gh.apps.lifecycle.transition({
        app: 'faq-bot',
        version: v!.version,
        from: v!.state,
        to: 'approved',
        actor: 'admin',
        reason: 'policy e2e',
      });
    const call = (tokens: number) =>
      t.gh.governor.govern({
        action: 'model.invoke',
        subject: { user: 'alice', app: 'faq-bot' },
        resource: { type: 'model', id: 'gpt-4o-mini' },
        request: { inputTokens: tokens, prompt: 'secret words' },
      });
    const first = await call(100);
    assert.equal(first.effect, 'allow', first.reason);
    assert.equal((await call(600)).effect, 'allow');
    assert.equal((await call(5000)).effect, 'deny');
    const list = await t.cli(['decisions', 'list', '--app', 'faq-bot', '--since', '1h', '--json']);
    assert.equal(list.code, 0, list.err);
    const items = (
      JSON.parse(list.out) as { items: { action: string; input: { request: { prompt: string } } }[] }
    ).items.filter((i) => i.action === 'model.invoke');
    assert.equal(items.length, 3);
    assert.ok(items.every((i) => i.input.request.prompt === '[masked]'));
    const denies = JSON.parse(
      (await t.cli(['decisions', 'list', '--app', 'faq-bot', '--action', 'model.invoke', '--effect', 'deny', '--json']))
        .out,
    ) as { items: unknown[] };
    assert.equal(denies.items.length, 1);

    const dir = copyExamples();
    const f = join(dir, 'limit-model-tokens.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('maxInputTokens: 1024', 'maxInputTokens: 256'));
    rmSync(join(dir, 'limit-model-tokens.test.yaml')); // its expectations are for the old limits
    const sim = await t.cli(['policy', 'simulate', dir, '--since', '1h']);
    assert.equal(sim.code, 0, sim.err);
    assert.match(sim.out, /faq-bot: \d+ \(limit_model_tokens \d+\)/);
    assert.match(
      sim.out,
      /model\.invoke model\/gpt-4o-mini: allow -> deny {2}request\.inputTokens 600 exceeds maxInputTokens 256/,
    );

    const before = JSON.parse((await t.cli(['policy', 'list', '--json'])).out) as { active: string };
    const applied = await t.cli(['policy', 'apply', dir]);
    assert.equal(applied.code, 0, applied.err);
    assert.equal((await call(600)).effect, 'deny');
    const back = await t.cli(['policy', 'activate', before.active]);
    assert.equal(back.code, 0, back.err);
    assert.equal((await call(600)).effect, 'allow');
    const acts = await t.api('GET', '/api/v1/policies/activations');
    assert.equal((acts.body.items as unknown[]).length, 3);
  });

  it('keeps policy writes to security and admins, and decision reads to security and auditors', async () => {
    const alice = await t.tokenFor('alice');
    const apply = await t.api(
      'POST',
      '/api/v1/policies',
      { files: [{ path: 'x.yaml', content: 'kind: Policy' }] },
      alice,
    );
    assert.equal(apply.status, 403);
    assert.equal((await t.api('GET', '/api/v1/decisions', undefined, alice)).status, 403);
    const bad = await t.api('POST', '/api/v1/policies', {
      files: [
        {
          path: 'x.yaml',
          content:
            'apiVersion: gatehouse/v1\nkind: Policy\nmetadata: { name: x }\nspec: { effect: deny, condition: "request.nope" }',
        },
      ],
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error?.details[0].path ?? '', /^x\.yaml:4:/);
  });
});
