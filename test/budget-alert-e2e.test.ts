// Issue 23 item 6, end to end: a `cost_over_budget_pct` rule fires on real gateway calls once the app's cost today
// reaches the percentage of its daily budget (spec.budgets.dailyCostUsd), and its kill stops the next call.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { repoPath } from '../src/core/repo-root.js';
import { FakeUpstream } from '../src/demo/fake-upstream.js';
import type { AlertFiring } from '../src/telemetry/alert-engine.js';
import { startTestGatehouse } from '../src/testing/test-gatehouse.js';

describe('budget overrun alert', () => {
  it("fires at 50 % of the app's daily budget and kills the app before the budget runs out", async () => {
    const up = await new FakeUpstream({ apiKey: 'sk-b' }).start();
    up.reply = () => 'word '.repeat(200).trim(); // ~200 output tokens: about $0.00012 at gpt-4o-mini prices
    const t = await startTestGatehouse();
    try {
      await t.useProvider('gpt-4o-mini', up.baseUrl, 'sk-b');
      const dir = mkdtempSync(join(tmpdir(), 'gh-budget-'));
      for (const f of ['app.yaml', 'main.js']) copyFileSync(repoPath('examples', 'apps', 'faq-bot', f), join(dir, f));
      writeFileSync(
        join(dir, 'app.yaml'),
        readFileSync(join(dir, 'app.yaml'), 'utf8').replace('name: faq-bot', 'name: budget-bot') +
          '  budgets: { dailyCostUsd: 0.001 }\n',
      );
      const sub = await t.cli(['app', 'submit', join(dir, 'app.yaml'), '--json'], await t.tokenFor('alice'));
      assert.equal(sub.code, 0, sub.err);
      assert.equal((JSON.parse(sub.out) as { state: string }).state, 'approved');
      const applied = await t.api('POST', '/api/v1/alerts/apply', {
        documents: [
          {
            apiVersion: 'gatehouse/v1',
            kind: 'AlertRule',
            metadata: { name: 'budget-half' },
            spec: {
              match: { kind: 'model.invocation' },
              condition: { type: 'cost_over_budget_pct', value: 50 },
              actions: [{ kill: {} }],
            },
          },
        ],
      });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      const list = await t.cli(['alerts', 'list']);
      assert.match(list.out, /budget-half .* by app: cost today >= 50% of the daily budget → kill/);

      const key = (JSON.parse((await t.cli(['app', 'key', 'create', 'budget-bot', '--json'])).out) as { key: string })
        .key;
      const client = new OpenAI({ apiKey: key, baseURL: `${t.url}/v1`, maxRetries: 0 });
      let spent = 0;
      let refusal: Error | undefined;
      for (let i = 0; i < 10 && !refusal; i++) {
        try {
          const r = await client.chat.completions
            .create({ model: 'gpt-4o-mini', user: 'alice', messages: [{ role: 'user', content: 'hi' }] })
            .withResponse();
          spent += Number(r.response.headers.get('x-gatehouse-cost-usd'));
          await t.gh.observability.telemetry.alerts.idle();
        } catch (err) {
          refusal = err as Error;
        }
      }
      assert.ok(refusal, 'a call was refused');
      assert.match(refusal.message, /Kill switch kil_\w+ on app 'budget-bot': alert alr_\w+ \(budget-half\)/);
      assert.ok(spent >= 0.0005 && spent < 0.001, `spent $${spent}: over half the budget, not all of it`);
      const [firing] = (await t.api('GET', '/api/v1/alerts/history?app=budget-bot')).body.firings as AlertFiring[];
      assert.equal(firing.rule, 'budget-half');
      assert.equal(firing.observed.budgetUsd, 0.001);
      assert.ok(firing.observed.value >= 50 && firing.observed.value < 100, JSON.stringify(firing.observed));
    } finally {
      await t.close();
      await up.close();
    }
  });
});
