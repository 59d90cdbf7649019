// Issue 23 item 5: a manifest may only use a model in an environment its catalog entry allows. The submit is refused
// (exit 2, nothing stored) naming spec.models[i].id, the app's environment and the environments the model allows.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../src/core/repo-root.js';
import { startTestGatehouse, type TestGatehouse } from '../src/testing/test-gatehouse.js';

/** The faq-bot example renamed, with its text edited by `edit`. */
function app(name: string, edit: (yaml: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gh-env-'));
  for (const f of ['app.yaml', 'main.js']) copyFileSync(repoPath('examples', 'apps', 'faq-bot', f), join(dir, f));
  const m = join(dir, 'app.yaml');
  writeFileSync(m, edit(readFileSync(m, 'utf8').replace('name: faq-bot', `name: ${name}`)));
  return m;
}

describe('model environments at submit', () => {
  let t: TestGatehouse;
  let alice: string;
  before(async () => {
    t = await startTestGatehouse();
    alice = await t.tokenFor('alice');
  });
  after(() => t.close());

  it('refuses a prod app using a model the catalog allows only in dev and staging, and stores nothing', async () => {
    // claude-sonnet's catalog entry: environments [dev, staging]. It is the second model so the index is checked.
    const m = app('prod-sonnet', (y) =>
      y
        .replace('environment: dev', 'environment: prod')
        .replace('    - { id: gpt-4o-mini,', '    - { id: gpt-4o-mini }\n    - { id: claude-sonnet,'),
    );
    const r = await t.cli(['app', 'submit', m], alice);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(
      r.err,
      /spec\.models\[1\]\.id: model 'claude-sonnet' is not allowed in prod by the catalog \(its environments: dev, staging\)/,
    );
    const list = await t.api('GET', '/api/v1/apps');
    assert.ok(!(list.body.items as { name: string }[]).some((a) => a.name === 'prod-sonnet'), 'nothing stored');
  });

  it('accepts the same model in an environment it allows', async () => {
    const m = app('staging-sonnet', (y) =>
      y
        .replace('environment: dev', 'environment: staging')
        .replace('    - { id: gpt-4o-mini,', '    - { id: gpt-4o-mini }\n    - { id: claude-sonnet,'),
    );
    const r = await t.cli(['app', 'submit', m], alice);
    assert.equal(r.code, 0, r.out + r.err);
  });
});
