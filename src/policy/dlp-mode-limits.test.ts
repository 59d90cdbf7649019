// promptDlp / outputDlp limits: `block` and `[block]` are one limit, merged to the stricter mode; a bad mode is
// refused when the bundle compiles; and a plain-string limit applied with `policy apply` reaches the gateway.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { GovernanceRequest } from '../core/governance.js';
import { InvalidInputError } from '../core/errors.js';
import { repoPath } from '../core/repo-root.js';
import { FakeUpstream } from '../demo/fake-upstream.js';
import { startTestGatehouse } from '../testing/test-gatehouse.js';
import { compileBundle } from './compiler.js';
import { PolicyEvaluator } from './evaluator.js';
import { runPolicyTests } from './test-runner.js';

const limit = (name: string, params: string) =>
  `apiVersion: gatehouse/v1\nkind: Policy\nmetadata:\n  name: ${name}\nspec:\n  match: { actions: [model.invoke] }\n  effect: limit\n  parameters: ${params}\n`;

const decide = (...docs: string[]) =>
  new PolicyEvaluator(compileBundle([{ path: 'p.yaml', content: docs.join('---\n') }]), { now: () => 1 }).decide({
    action: 'model.invoke',
    subject: { user: 'alice', roles: [], groups: [] },
    resource: { type: 'model', id: 'm', attributes: {} },
    request: {},
  } satisfies GovernanceRequest);

describe('DLP mode limits', () => {
  it('accepts the plain string and the one-item list alike', () => {
    assert.deepEqual(decide(limit('a', '{ promptDlp: block, outputDlp: mask }')).obligations, {
      promptDlp: 'block',
      outputDlp: 'mask',
    });
    assert.deepEqual(decide(limit('a', '{ promptDlp: [block], outputDlp: [mask] }')).obligations, {
      promptDlp: 'block',
      outputDlp: 'mask',
    });
  });

  it('merges to the stricter mode (allow < tokenize < mask < block), whichever form each policy uses', () => {
    const d = decide(
      limit('a', '{ promptDlp: tokenize, outputDlp: [block] }'),
      limit('b', '{ promptDlp: [mask], outputDlp: allow }'),
    );
    assert.deepEqual(d.obligations, { promptDlp: 'mask', outputDlp: 'block' });
  });

  it('refuses an unknown mode or a list of several at compile time, naming the policy and the field', () => {
    for (const bad of ['{ promptDlp: blok }', '{ outputDlp: [mask, block] }', '{ outputDlp: 3 }']) {
      assert.throws(
        () => compileBundle([{ path: 'p.yaml', content: limit('dlp', bad) }]),
        (e: unknown) =>
          e instanceof InvalidInputError &&
          /policy dlp: parameters\.(prompt|output)Dlp .*one of allow, tokenize, mask, block/.test(e.message),
        bad,
      );
    }
  });

  it('policy tests may expect either form', () => {
    const test = (expect: string) =>
      `apiVersion: gatehouse/v1\nkind: PolicyTest\nmetadata:\n  name: t\nspec:\n  input: { action: model.invoke, subject: { user: u }, resource: { type: model, id: m } }\n  expect: { effect: allow, obligations: { promptDlp: ${expect} } }\n`;
    for (const form of ['block', '[block]']) {
      const bundle = compileBundle([
        { path: 'p.yaml', content: `${limit('a', '{ promptDlp: block }')}---\n${test(form)}` },
      ]);
      assert.equal(runPolicyTests(bundle)[0].passed, true, form);
    }
  });

  it('a plain `promptDlp: block` applied with `policy apply` makes the gateway refuse a prompt with an SSN', async () => {
    const up = await new FakeUpstream({ apiKey: 'sk-p' }).start();
    const t = await startTestGatehouse();
    try {
      await t.useProvider('gpt-4o-mini', up.baseUrl, 'sk-p');
      const v = (await t.gh.apps.latestVersion('faq-bot'))!;
      if (!(await t.gh.apps.inForce('faq-bot')))
        await t.gh.apps.lifecycle.transition({
          app: 'faq-bot',
          version: v.version,
          from: v.state,
          to: 'approved',
          actor: 'admin',
          reason: 'dlp limit test',
        });
      const dir = mkdtempSync(join(tmpdir(), 'gh-pol-'));
      cpSync(repoPath('examples', 'policies'), dir, { recursive: true });
      writeFileSync(join(dir, 'block-prompt-pii.yaml'), limit('block_prompt_pii', '{ promptDlp: block }'));
      const applied = await t.cli(['policy', 'apply', dir]);
      assert.equal(applied.code, 0, applied.err);
      const key = (JSON.parse((await t.cli(['app', 'key', 'create', 'faq-bot', '--json'])).out) as { key: string }).key;
      const client = new OpenAI({ apiKey: key, baseURL: `${t.url}/v1`, maxRetries: 0 });
      await assert.rejects(
        client.chat.completions.create({
          model: 'gpt-4o-mini',
          user: 'alice',
          messages: [{ role: 'user', content: 'My SSN is 536-22-8841' }],
        }),
        (e: Error & { status?: number }) =>
          e.status === 403 && /DLP blocked the text: it contains US_SSN/.test(e.message),
      );
      assert.equal(up.requests.length, 0, 'the prompt never reached the provider');
    } finally {
      await t.close();
      await up.close();
    }
  });
});
