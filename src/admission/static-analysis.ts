// Static analysis of an app's code with the TypeScript compiler's parser (JS and TS alike, exact lines).
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import ts from 'typescript';
import type { AppManifest } from '../apps/manifest-schema.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { Finding } from './admission-types.js';
import { hostAllowed } from './hosts.js';

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** Globals a sandboxed micro-app must not reach for, with what to use instead. */
const AMBIENT: Record<string, string> = {
  process: 'read settings from the `input` argument or ctx; secrets never reach app code',
  require: 'use static `import` of files listed in spec.runtime.files',
  module: 'export main(input, ctx) with `export`',
  __dirname: 'do not touch the file system; use ctx.data for data',
  __filename: 'do not touch the file system; use ctx.data for data',
  globalThis: 'use the ctx argument instead of globals',
  Deno: 'use the ctx argument instead of runtime globals',
  Bun: 'use the ctx argument instead of runtime globals',
  fetch: 'call ctx.http.fetch(url) so egress is governed, and declare the host in spec.egress',
  XMLHttpRequest: 'call ctx.http.fetch(url) so egress is governed',
  WebSocket: 'call ctx.http.fetch(url) so egress is governed',
  EventSource: 'call ctx.http.fetch(url) so egress is governed',
  Worker: 'micro-apps run single-threaded; remove the worker',
};
// Skips userinfo (`https://trusted.com@evil.com` goes to evil.com); IPv6 literals in brackets.
const URL_RE = /\b(?:https?|wss?|ftp):\/\/(?:[^@/\s?#]*@)?(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?/gi;

function sourceKind(file: string): ts.ScriptKind {
  if (/\.tsx$/i.test(file)) return ts.ScriptKind.TSX;
  if (/\.(ts|mts|cts)$/i.test(file)) return ts.ScriptKind.TS;
  if (/\.jsx$/i.test(file)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

/** Names declared anywhere in the file (a local `process` variable is not the ambient one). */
function declaredNames(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (
      (ts.isVariableDeclaration(n) ||
        ts.isFunctionDeclaration(n) ||
        ts.isParameter(n) ||
        ts.isClassDeclaration(n) ||
        ts.isImportSpecifier(n) ||
        ts.isImportClause(n) ||
        ts.isNamespaceImport(n)) &&
      n.name &&
      ts.isIdentifier(n.name)
    ) {
      names.add(n.name.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return names;
}

/** True when the identifier is used as a value, not as a property name, key or declaration name. */
function isValueReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (
    (ts.isPropertyAssignment(p) ||
      ts.isMethodDeclaration(p) ||
      ts.isPropertyDeclaration(p) ||
      ts.isPropertySignature(p)) &&
    p.name === id
  )
    return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p)) && p.name === id) return false;
  if (ts.isQualifiedName(p) || ts.isTypeReferenceNode(p)) return false;
  return true;
}

const isCtorName = (n: ts.Node): boolean =>
  (ts.isPropertyAccessExpression(n) && n.name.text === 'constructor') ||
  (ts.isElementAccessExpression(n) &&
    ts.isStringLiteralLike(n.argumentExpression) &&
    n.argumentExpression.text === 'constructor');

/** `x.constructor.constructor` (the Function constructor by the prototype chain) or calling `x.constructor(...)`. */
function isConstructorChain(n: ts.Node): boolean {
  if (isCtorName(n) && isCtorName((n as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression))
    return true;
  return (ts.isCallExpression(n) || ts.isNewExpression(n)) && isCtorName(n.expression);
}

export interface AnalyzeInput {
  manifest: AppManifest;
  /** Code files by path (relative to the manifest). */
  code: Record<string, string>;
  catalog: CatalogReader;
}

/** Finds dynamic code, ambient APIs, undeclared hosts and undeclared models/datasets; each finding has file, line, fix. */
export function analyzeCode({ manifest, code, catalog }: AnalyzeInput): Finding[] {
  const findings: Finding[] = [];
  const declaredModels = new Set(manifest.spec.models.flatMap((m) => [m.id, ...(m.fallback ? [m.fallback] : [])]));
  const declaredDatasets = new Set(manifest.spec.data.map((d) => d.dataset));
  const catalogModels = new Set(catalog.list('Model').map((m) => m.metadata.name));
  const catalogDatasets = new Set(catalog.list('Dataset').map((d) => d.metadata.name));
  const files = new Set([manifest.spec.runtime.entrypoint, ...manifest.spec.runtime.files]);
  for (const f of files) {
    if (code[f] === undefined)
      findings.push({
        check: 'static',
        rule: 'missing-file',
        severity: 'error',
        file: f,
        message: `The manifest names '${f}' but it was not submitted.`,
        fix: `Submit '${f}' with the manifest, or remove it from spec.runtime.`,
      });
  }

  for (const [file, text] of Object.entries(code)) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, sourceKind(file));
    const at = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
    const add = (n: ts.Node, rule: string, severity: Finding['severity'], message: string, fix: string) =>
      findings.push({ check: 'static', rule, severity, file, line: at(n), message, fix });

    // The parser's own diagnostics (an internal field, stable across TS 4-5); transpiling for them costs a program.
    const syntax =
      (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ??
      ts.transpileModule(text, {
        fileName: file,
        reportDiagnostics: true,
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      }).diagnostics ??
      [];
    for (const d of syntax.slice(0, 5)) {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : undefined;
      findings.push({
        check: 'static',
        rule: 'syntax-error',
        severity: 'error',
        file,
        line,
        message: `Syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
        fix: 'Fix the syntax so the file parses.',
      });
    }
    const locals = declaredNames(sf);

    const checkModule = (n: ts.Node, spec: string) => {
      if (BUILTINS.has(spec)) {
        add(
          n,
          'ambient-api',
          'error',
          `Imports the Node built-in '${spec}', which a micro-app may not use.`,
          `Remove '${spec}': use ctx.data for data, ctx.http for network, ctx.llm for models.`,
        );
      } else if (spec.startsWith('.')) {
        const target = posix.normalize(posix.join(posix.dirname(file), spec));
        const candidates = [target, `${target}.js`, `${target}.ts`, target.replace(/\.js$/, '.ts')];
        if (!candidates.some((c) => files.has(c) && code[c] !== undefined))
          add(
            n,
            'undeclared-file',
            'warning',
            `Imports '${spec}', which is not listed in spec.runtime.files.`,
            `Add '${target}' to spec.runtime.files and submit it.`,
          );
      } else {
        add(
          n,
          'external-package',
          'warning',
          `Imports the package '${spec}', which the sandbox does not provide.`,
          `Bundle what you need into a file listed in spec.runtime.files, or remove the import.`,
        );
      }
    };

    const checkString = (n: ts.Node, value: string) => {
      for (const m of value.matchAll(URL_RE)) {
        const host = `${m[1].toLowerCase()}${m[2] && m[2] !== '80' && m[2] !== '443' ? `:${m[2]}` : ''}`;
        if (!hostAllowed(host, manifest.spec.egress)) {
          add(
            n,
            'undeclared-host',
            'error',
            `Calls or names ${host}, which spec.egress does not declare.`,
            `Add '${host}' to spec.egress (security reviews hosts no approved connector covers), or remove the call.`,
          );
        }
      }
      if (catalogModels.has(value) && !declaredModels.has(value)) {
        add(
          n,
          'undeclared-model',
          'error',
          `Uses the model '${value}', which spec.models does not declare.`,
          `Add {id: ${value}} to spec.models, or use a declared model${declaredModels.size ? `: ${[...declaredModels].join(', ')}` : ''}.`,
        );
      }
      if (catalogDatasets.has(value) && !declaredDatasets.has(value)) {
        add(
          n,
          'undeclared-dataset',
          'error',
          `Uses the dataset '${value}', which spec.data does not declare.`,
          `Add {dataset: ${value}, access: read, purpose: ...} to spec.data, or remove it.`,
        );
      }
    };

    const visit = (n: ts.Node): void => {
      if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) {
        if (n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) checkModule(n, n.moduleSpecifier.text);
      } else if (isConstructorChain(n)) {
        add(
          n,
          'dynamic-code',
          'error',
          'Reaches the Function constructor through `.constructor`, which runs code built at run time.',
          'Remove it: call functions directly instead of constructing them from strings.',
        );
      } else if (ts.isCallExpression(n)) {
        const callee = n.expression;
        if (callee.kind === ts.SyntaxKind.ImportKeyword) {
          add(
            n,
            'dynamic-code',
            'error',
            'Uses dynamic import(), which loads code not reviewed at submit.',
            'Import statically at the top of the file and list the file in spec.runtime.files.',
          );
        } else if (
          ts.isIdentifier(callee) &&
          callee.text === 'require' &&
          n.arguments[0] &&
          ts.isStringLiteral(n.arguments[0])
        ) {
          checkModule(n, n.arguments[0].text);
        } else if (
          ts.isIdentifier(callee) &&
          (callee.text === 'setTimeout' || callee.text === 'setInterval') &&
          n.arguments[0] &&
          ts.isStringLiteralLike(n.arguments[0])
        ) {
          add(
            n,
            'dynamic-code',
            'error',
            `${callee.text} with a string evaluates code.`,
            `Pass a function to ${callee.text} instead of a string.`,
          );
        }
      } else if (ts.isIdentifier(n) && isValueReference(n) && !locals.has(n.text)) {
        if (n.text === 'eval' || n.text === 'Function') {
          add(
            n,
            'dynamic-code',
            'error',
            `Uses ${n.text === 'eval' ? 'eval' : 'the Function constructor'}, which runs code built at run time.`,
            'Remove it: compute the value directly, or parse data with JSON.parse.',
          );
        } else if (
          AMBIENT[n.text] &&
          !(
            n.text === 'require' &&
            ts.isCallExpression(n.parent) &&
            n.parent.expression === n &&
            n.parent.arguments[0] &&
            ts.isStringLiteral(n.parent.arguments[0])
          )
        ) {
          add(
            n,
            'ambient-api',
            'error',
            `Uses the global '${n.text}', which a micro-app may not use.`,
            `Instead, ${AMBIENT[n.text]}.`,
          );
        }
      }
      if (ts.isStringLiteralLike(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) {
        if (!(n.parent && (ts.isImportDeclaration(n.parent) || ts.isExportDeclaration(n.parent))))
          checkString(n, n.text);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  // One finding per rule and place (a constructor chain matches on two nested nodes).
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.rule}|${f.file}|${f.line}|${f.message}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

/** Every string literal in the code with its file and line, for the PII scan. */
export function stringLiterals(code: Record<string, string>): Array<{ file: string; line: number; text: string }> {
  const out: Array<{ file: string; line: number; text: string }> = [];
  for (const [file, text] of Object.entries(code)) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, sourceKind(file));
    const visit = (n: ts.Node): void => {
      if (ts.isStringLiteralLike(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) {
        out.push({ file, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, text: n.text });
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}
