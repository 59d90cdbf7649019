// The console in a real browser (Debian chromium via playwright-core): a creator submits through the CLI, three
// reviewers approve in the console, an operator kills the app in one click and the next gateway call is refused,
// the kill on this pii app needs a second approver to lift, the flow map marks a denied undeclared egress, a risk
// factor links to its guide, a pasted policy is simulated, the audit page checks an inclusion proof with WebCrypto
// (and fails a doctored one), and axe-core finds no serious or critical violations on any page.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { FakeUpstream } from '../demo/fake-upstream.js';
import { repoPath } from '../core/repo-root.js';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import { CHROMIUM, suiteNeeds } from '../testing/requires.js';
import { launchChromium, seriousViolations, signedInPage } from './testing/console-browser.js';

const APP = 'console-bot';

/** faq-bot turned into a prod app that reads a pii dataset and posts to an unapproved host: three reviewer slots. */
function writeRiskyApp(dir: string): string {
  const yaml = readFileSync(repoPath('examples', 'apps', 'faq-bot', 'app.yaml'), 'utf8')
    .replace('name: faq-bot', `name: ${APP}`)
    .replace('environment: dev', 'environment: prod')
    .replace('region: eu-west-1', 'region: us-east-1')
    .replace('  users:', '  egress: [hooks.example.com]\n  budgets: { dailyCostUsd: 5 }\n  users:')
    .replace(
      'columns: [sku, name, price, category] }',
      'columns: [sku, name, price, category] }\n    - { dataset: customer-transcripts, access: read, purpose: find complaints, columns: [id, transcript] }',
    );
  writeFileSync(join(dir, 'app.yaml'), yaml);
  writeFileSync(join(dir, 'main.js'), readFileSync(repoPath('examples', 'apps', 'faq-bot', 'main.js'), 'utf8'));
  return join(dir, 'app.yaml');
}

describe('web console in chromium', await suiteNeeds(CHROMIUM), () => {
  let t: TestGatehouse;
  let up: FakeUpstream;
  let browser: Browser;
  let dir: string;
  let appKey: string;
  const tokens: Record<string, string> = {};
  const pages: Record<string, Page> = {};
  let approvalId: string;

  const chat = () =>
    fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${appKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', user: 'alice', messages: [{ role: 'user', content: 'hi' }] }),
    });

  before(async () => {
    up = await new FakeUpstream({ apiKey: 'sk-console' }).start();
    t = await startTestGatehouse({ store: 'sqlite' });
    await t.useProvider('gpt-4o-mini', up.baseUrl, 'sk-console');
    for (const u of ['alice', 'dana', 'sam', 'lee', 'ada']) tokens[u] = await t.tokenFor(u);
    browser = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'gh-console-'));
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a creator submits through the CLI and the request waits for data owner, security and legal', async () => {
    const r = await t.cli(['app', 'submit', writeRiskyApp(dir), '--json'], tokens.alice);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as {
      state: string;
      admission: { approval: { id: string; requiredRoles: string[] } };
    };
    assert.equal(out.state, 'pending_approval');
    assert.deepEqual([...out.admission.approval.requiredRoles].sort(), ['data_owner', 'legal', 'security']);
    approvalId = out.admission.approval.id;
    const key = await t.cli(['app', 'key', 'create', APP, '--json'], tokens.alice);
    assert.equal(key.code, 0, key.err);
    appKey = (JSON.parse(key.out) as { key: string }).key;
    assert.equal((await chat()).status, 403, 'not runnable before approval');
  });

  it('the creator sees the approve button disabled with the reason', async () => {
    pages.alice = await signedInPage(browser, t.url, tokens.alice);
    await pages.alice.goto(`/approvals/${approvalId}`);
    assert.equal(await pages.alice.getByRole('button', { name: 'Approve' }).isDisabled(), true);
    assert.match(await pages.alice.locator('#why').innerText(), /submitted console-bot v1; separation of duties/);
  });

  it('data owner, security and legal approve in the console; the owner releases it there and it serves', async () => {
    for (const u of ['dana', 'sam', 'lee']) {
      pages[u] = await signedInPage(browser, t.url, tokens[u]);
      await pages[u].goto('/approvals');
      await pages[u].getByRole('link', { name: `${APP} v1` }).click();
      await pages[u].getByLabel('Comment (required to reject)').fill(`ok from ${u}`);
      await pages[u].getByRole('button', { name: 'Approve' }).click();
      await pages[u].getByText('Your approve was recorded').waitFor();
    }
    assert.match(await pages.lee.locator('.notice').innerText(), /now approved/);
    assert.equal((await t.api('GET', `/api/v1/apps/${APP}`)).body.inForce, null, 'prod waits for a release');
    // The owner releases from the app page.
    await pages.alice.goto(`/apps/${APP}`);
    await pages.alice.getByLabel('Reason', { exact: true }).fill('approved by all three');
    await pages.alice.getByRole('button', { name: 'Release latest approved' }).click();
    await pages.alice.getByText('Released: now in force v1').waitFor();
    assert.equal((await chat()).status, 200);
  });

  it('an operator kills the app in one click from the inventory; the next gateway call is refused', async () => {
    const sam = pages.sam;
    sam.once('dialog', (d) => void d.accept());
    await sam.goto(`/apps?q=${APP}`);
    await sam.getByLabel(`Reason to kill app ${APP}`).fill('leaking transcripts');
    await sam
      .getByRole('row', { name: new RegExp(APP) })
      .getByRole('button', { name: 'Kill' })
      .click();
    await sam.waitForURL('**/kills?set=*');
    assert.match(await sam.locator('.notice').innerText(), /Kill on app console-bot in force since \d{4}-\d\d-\d\dT/);
    const refused = await chat();
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /kill/i);
  });

  it('lifting the kill on this pii app needs a second approver, who lifts it in the console', async () => {
    for (const u of ['sam', 'dana']) {
      const p = pages[u];
      p.once('dialog', (d) => void d.accept());
      await p.goto('/kills');
      await p.getByLabel(`Reason to lift the kill on app ${APP}`).fill(`fixed, says ${u}`);
      await p.getByRole('button', { name: 'Approve lift' }).click();
      await p.waitForURL(/\/kills\?/);
    }
    assert.match(await pages.sam.locator('.notice').innerText(), /1 of 2.*another approver must confirm/);
    assert.match(await pages.dana.locator('.notice').innerText(), /lifted/);
    assert.equal((await chat()).status, 200);
  });

  it('the flow map shows an observed-but-undeclared edge after a denied egress, and the unused declared host', async () => {
    // What the sandbox bridge asks govern() when the app's code fetches a host its manifest does not declare.
    const d = await t.gh.governor.govern({
      action: 'net.egress',
      subject: { user: 'alice', app: APP },
      resource: { type: 'host', id: 'pastebin.com' },
    });
    assert.equal(d.effect, 'deny');
    await pages.sam.goto(`/flows?q=${APP}`);
    const row = (name: RegExp) => pages.sam.getByRole('row', { name });
    assert.equal(await row(/host pastebin\.com observed, undeclared 1 1/).count(), 1);
    assert.equal(await row(/host hooks\.example\.com declared, unused 0 0/).count(), 1);
    assert.equal(await row(/model gpt-4o-mini declared, used/).count(), 1);
  });

  it('the dashboard charts the per-minute telemetry of the app', async () => {
    await pages.sam.goto(`/dashboards?dim=app&key=${APP}&window=1h`);
    assert.ok((await pages.sam.locator('figure svg rect').count()) > 1, 'bars drawn');
    assert.ok((await pages.sam.getByRole('row').count()) > 1, 'a totals table');
  });

  it('the audit page verifies an inclusion proof in the browser with WebCrypto, and refuses a doctored one', async () => {
    const ada = await signedInPage(browser, t.url, tokens.ada);
    pages.ada = ada;
    await ada.goto(`/audit?app=${APP}&type=kill.set`);
    await ada.getByRole('button', { name: 'Verify inclusion' }).first().click();
    await ada.locator('#proof .result.pass').waitFor();
    const steps = await ada.locator('#proof .steps li').allInnerTexts();
    assert.ok(steps.some((s) => /^leaf \d+ = SHA-256\(00 \|\| \d+ entry bytes\) = [0-9a-f]{64}$/.test(s)));
    assert.ok(steps.some((s) => /^node 1 = SHA-256\(01/.test(s)));
    assert.ok(steps.some((s) => /Ed25519 signature by gatehouse\/audit over the checkpoint text: valid/.test(s)));
    // The same check against a proof whose first sibling hash was changed in transit must fail.
    await ada.route('**/audit/proof?*', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { inclusionPath: string[] };
      body.inclusionPath[0] = Buffer.alloc(32, 7).toString('base64');
      await route.fulfill({ response: res, json: body });
    });
    await ada.getByRole('button', { name: 'Verify inclusion' }).first().click();
    await ada.locator('#proof .result.fail').waitFor();
    assert.match(await ada.locator('#proof .result').innerText(), /NOT verified: computed root/);
  });

  it("an app's risk factor links to its fix in the creators' guide, where a template copies to the clipboard", async () => {
    const sam = pages.sam;
    await sam.goto(`/apps/${APP}`);
    await sam
      .getByRole('listitem')
      .filter({ hasText: 'egress.unapproved:hooks.example.com' })
      .getByRole('link', { name: 'how to lower it' })
      .click();
    await sam.waitForURL('**/guides#factor-egress.unapproved');
    const section = sam.locator('section.factor').filter({ has: sam.locator('#factor-egress\\.unapproved') });
    assert.match(await section.innerText(), /How to lower it: Remove <host> from spec\.egress/);
    await sam.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    await sam.getByRole('button', { name: 'Copy chatbot/app.yaml' }).click();
    await sam.getByText('Copied.').waitFor();
    const copied = await sam.evaluate(() =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText(),
    );
    assert.equal(copied, await sam.locator('#tpl-chatbot-app-yaml').innerText());
    assert.match(copied, /kind: App/);
  });

  it('a pasted policy is simulated against the recorded decisions and the changed ones are listed', async () => {
    const sam = pages.sam;
    await sam.goto('/policies');
    await sam.getByRole('link', { name: /Simulate a pasted policy/ }).click();
    await sam
      .getByLabel('Policy YAML')
      .fill(
        "apiVersion: gatehouse/v1\nkind: Policy\nmetadata:\n  name: freeze_submissions\nspec:\n  match:\n    actions: [app.submit]\n  condition: 'true'\n  effect: deny\n  message: Submissions are frozen\n",
      );
    await sam.getByRole('button', { name: 'Simulate' }).click();
    await sam.locator('#result').waitFor();
    assert.ok((await sam.getByRole('row', { name: /require_approval deny \d+/ }).count()) === 1, 'pending → deny');
    const changed = sam.locator('tr.changed').filter({ hasText: APP });
    assert.equal(await changed.count(), 1);
    assert.match(await changed.innerText(), /app\.submit[\s\S]*require_approval[\s\S]*deny: Submissions are frozen/);
    assert.deepEqual(
      (await seriousViolations(sam)).map((v) => v.id),
      [],
      'axe on the simulation result',
    );
    // Broken CEL: the page answers 400 and names the line.
    await sam
      .getByLabel('Policy YAML')
      .fill(
        "apiVersion: gatehouse/v1\nkind: Policy\nmetadata:\n  name: broken\nspec:\n  match:\n    actions: [app.submit]\n  condition: 'app.name ==== 1'\n  effect: deny\n",
      );
    const [res] = await Promise.all([
      sam.waitForResponse((r) => r.url().endsWith('/policies/simulate') && r.request().method() === 'POST'),
      sam.getByRole('button', { name: 'Simulate' }).click(),
    ]);
    assert.equal(res.status(), 400);
    assert.match(await sam.locator('ul.problems').innerText(), /pasted\.yaml:8:\d+/);
  });

  it('axe-core finds no serious or critical violations on any page', async () => {
    const anon = await (await browser.newContext({ baseURL: t.url })).newPage();
    await anon.goto('/sign-in');
    const checks: [Page, string][] = [
      [anon, '/sign-in'],
      [pages.sam, '/apps'],
      [pages.sam, '/catalog/models'],
      [pages.sam, '/catalog/datasets'],
      [pages.sam, '/catalog/connectors'],
      [pages.sam, '/approvals'],
      [pages.alice, `/approvals/${approvalId}`],
      [pages.sam, '/kills'],
      [pages.sam, `/flows?q=${APP}`],
      [pages.sam, `/apps/${APP}`],
      [pages.ada, '/audit'],
      [pages.sam, '/policies'],
      [pages.sam, `/dashboards?dim=app&key=${APP}&window=1h`],
      [pages.sam, '/doctor'],
      [pages.alice, '/guides'],
      [pages.sam, '/policies/simulate'],
      [pages.sam, '/dashboards?dim=app&window=24h'],
    ];
    for (const [p, path] of checks) {
      if (path !== '/sign-in') await p.goto(path);
      const bad = await seriousViolations(p);
      assert.deepEqual(
        bad.map((v) => `${v.id}: ${v.help} at ${JSON.stringify(v.nodes[0]?.target)}`),
        [],
        `on ${path}`,
      );
    }
  });
});
