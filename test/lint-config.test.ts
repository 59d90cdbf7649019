// The lint configuration enforces the layering rules: an import cycle and a production import of a test kit
// (testing/) each fail `npm run lint`. Probed with throwaway files that are removed afterwards.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { repoPath } from '../src/core/repo-root.js';

describe('lint configuration', () => {
  const dir = repoPath('src', `lint-probe-${process.pid}`);
  let results: ESLint.LintResult[];
  before(async () => {
    mkdirSync(dir, { recursive: true });
    const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
    write('ping.ts', "import { pong } from './pong.js';\nexport const ping = (): number => pong() + 1;\n");
    write('pong.ts', "import { ping } from './ping.js';\nexport const pong = (): number => ping() - 1;\n");
    write('uses-kit.ts', "export { startTestGatehouse } from '../testing/test-gatehouse.js';\n");
    write('clean.ts', "import { ping } from './ping.js';\nexport const twice = (): number => ping() * 2;\n");
    results = await new ESLint({ cwd: repoPath() }).lintFiles([dir]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const rulesIn = (file: string) =>
    results.find((r) => r.filePath.endsWith(file))?.messages.map((m) => m.ruleId) ?? ['(file not linted)'];

  it('fails on an import cycle', () => {
    assert.ok(rulesIn('ping.ts').includes('import-x/no-cycle'), JSON.stringify(rulesIn('ping.ts')));
    assert.ok(rulesIn('pong.ts').includes('import-x/no-cycle'));
  });

  it('fails on a production import of a test kit', () => {
    assert.deepEqual(rulesIn('uses-kit.ts'), ['no-restricted-imports']);
  });

  it('passes a file that is neither', () => {
    assert.deepEqual(rulesIn('clean.ts'), []);
  });
});
