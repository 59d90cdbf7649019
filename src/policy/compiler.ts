// Compiles policy files (YAML, kind Policy / PolicyTest) into a bundle: validated, CEL type-checked, cost-bounded, content-hashed.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { Environment, type ASTNode } from '@marcbachmann/cel-js';
import { LineCounter, parseAllDocuments, isScalar, Scalar } from 'yaml';
import { DLP_MODE_LIMITS, parseDlpMode } from '../core/dlp-mode-limit.js';
import { InvalidInputError, type ErrorDetail } from '../core/errors.js';
import { issuesToDetails } from '../core/validation.js';
import { createCelEnvironment, DEFAULT_COST_LIMITS, type CostLimits } from './cel-env.js';
import { policySchema, policyTestSchema, type PolicyDoc, type PolicyTestDoc } from './policy-schema.js';
import { compileTemplate, type Template } from './template.js';

export interface PolicyFile {
  path: string;
  content: string;
}

export type ParamValue = number | boolean | string | string[];

export interface CompiledPolicy {
  name: string;
  file: string;
  effect: PolicyDoc['spec']['effect'];
  mode: PolicyDoc['spec']['mode'];
  actions?: ReadonlySet<string>;
  resourceTypes?: ReadonlySet<string>;
  environments?: ReadonlySet<string>;
  apps?: ReadonlySet<string>;
  condition?: (activation: Record<string, unknown>) => unknown;
  parameters: Readonly<Record<string, ParamValue>>;
  message: Template;
  doc: PolicyDoc;
}

export interface PolicyTestCase {
  file: string;
  doc: PolicyTestDoc;
}

export interface CompiledBundle {
  /** Content hash (first 16 hex chars of sha256 over the canonical policy documents). */
  revision: string;
  hash: string;
  policies: CompiledPolicy[];
  tests: PolicyTestCase[];
}

const envCache = new Map<string, Environment>();
function environmentFor(limits: CostLimits): Environment {
  const key = `${limits.maxAstNodes}/${limits.maxDepth}/${limits.maxComprehensionNesting}`;
  let env = envCache.get(key);
  if (!env) envCache.set(key, (env = createCelEnvironment(limits)));
  return env;
}

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** Static cost of a condition: AST nodes, nesting depth and comprehension nesting. */
export function measureCost(ast: ASTNode): { nodes: number; depth: number; comprehensionNesting: number } {
  let nodes = 0;
  let depth = 0;
  let nesting = 0;
  const visit = (value: unknown, d: number, c: number): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, d, c);
      return;
    }
    if (value === null || typeof value !== 'object' || !('op' in value)) return;
    const node = value as ASTNode;
    nodes++;
    depth = Math.max(depth, d);
    const isComp = node.op === 'rcall' && COMPREHENSIONS.has(node.args[0]);
    const nc = isComp ? c + 1 : c;
    nesting = Math.max(nesting, nc);
    visit(node.args, d + 1, nc);
  };
  visit(ast, 1, 0);
  return { nodes, depth, comprehensionNesting: nesting };
}

/** Where in the file an offset of the condition text is (exact for single-line and `|` block scalars). */
function conditionPosition(
  node: Scalar | undefined,
  lc: LineCounter,
  file: string,
  expr: string,
  offset: number,
): string {
  if (!node?.range) return '';
  const start = lc.linePos(node.range[0]);
  const before = expr.slice(0, offset);
  const exprLine = before.split('\n').length - 1;
  const exprCol = offset - (before.lastIndexOf('\n') + 1);
  if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
    const firstContent = start.line + 1;
    const indent = /^[ \t]*/.exec(file.slice(lc.lineStarts[firstContent - 1] ?? 0))?.[0].length ?? 0;
    return `${firstContent + exprLine}:${indent + exprCol + 1}`;
  }
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
  return `${start.line + exprLine}:${exprLine === 0 ? start.col + quoted + exprCol : exprCol + 1}`;
}

function firstLine(msg: string): string {
  return msg.split('\n')[0];
}

function compilePolicy(
  doc: PolicyDoc,
  file: string,
  at: (offset: number) => string,
  env: Environment,
  limits: CostLimits,
  errors: ErrorDetail[],
): CompiledPolicy | undefined {
  const name = doc.metadata.name;
  const fail = (where: string, message: string) => errors.push({ path: where, message: `policy ${name}: ${message}` });
  let condition: CompiledPolicy['condition'];
  const src = doc.spec.condition;
  if (src !== undefined) {
    try {
      const parsed = env.parse(src);
      const cost = measureCost(parsed.ast);
      const over: string[] = [];
      if (cost.nodes > limits.maxAstNodes) over.push(`${cost.nodes} AST nodes (limit ${limits.maxAstNodes})`);
      if (cost.depth > limits.maxDepth) over.push(`nesting depth ${cost.depth} (limit ${limits.maxDepth})`);
      if (cost.comprehensionNesting > limits.maxComprehensionNesting)
        over.push(`${cost.comprehensionNesting} nested comprehensions (limit ${limits.maxComprehensionNesting})`);
      if (over.length > 0) {
        fail(
          `${file}:${at(0)}`,
          `condition is too expensive: ${over.join(', ')}; split it into several policies or simplify it`,
        );
      } else {
        const checked = parsed.check();
        if (!checked.valid) {
          const e = checked.error!;
          fail(`${file}:${at(e.range?.start ?? 0)}`, `condition does not type-check: ${firstLine(e.message)}`);
        } else if (checked.type !== 'bool' && checked.type !== 'dyn') {
          fail(`${file}:${at(0)}`, `condition must be a bool expression, this one is ${checked.type}`);
        } else {
          condition = parsed;
        }
      }
    } catch (err) {
      const e = err as { range?: { start: number }; message: string };
      const tooBig = /limit|exceed|maximum/i.test(e.message);
      fail(
        `${file}:${at(e.range?.start ?? 0)}`,
        tooBig
          ? `condition is too expensive: ${firstLine(e.message)}; simplify it`
          : `condition does not parse: ${firstLine(e.message)}`,
      );
    }
  }
  let message: Template;
  try {
    message = compileTemplate(doc.spec.message ?? defaultMessage(doc));
  } catch (err) {
    fail(file, `message: ${(err as Error).message}`);
    return undefined;
  }
  // DLP mode limits take `block` or `[block]`; anything else is refused here rather than dropped at run time.
  let badLimit = false;
  if (doc.spec.effect === 'limit')
    for (const key of DLP_MODE_LIMITS) {
      const r = key in doc.spec.parameters ? parseDlpMode(doc.spec.parameters[key]) : undefined;
      if (r && 'error' in r) {
        fail(file, `parameters.${key} ${r.error}`);
        badLimit = true;
      }
    }
  if ((condition === undefined && src !== undefined) || badLimit) return undefined;
  const m = doc.spec.match;
  const set = (xs?: string[]) => (xs ? new Set(xs) : undefined);
  return {
    name,
    file,
    effect: doc.spec.effect,
    mode: doc.spec.mode,
    condition,
    message,
    doc,
    actions: set(m.actions),
    resourceTypes: set(m.resourceTypes),
    environments: set(m.environments),
    apps: set(m.apps),
    parameters: doc.spec.parameters,
  };
}

function defaultMessage(doc: PolicyDoc): string {
  return doc.metadata.description ?? `policy ${doc.metadata.name} (${doc.spec.effect})`;
}

/** Compiles files into a bundle, or throws InvalidInputError listing every problem with file:line:col and policy name. */
export function compileBundle(files: readonly PolicyFile[], limits: CostLimits = DEFAULT_COST_LIMITS): CompiledBundle {
  const env = environmentFor(limits);
  const errors: ErrorDetail[] = [];
  const policies: CompiledPolicy[] = [];
  const tests: PolicyTestCase[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const lc = new LineCounter();
    const docs = parseAllDocuments(f.content, { lineCounter: lc, prettyErrors: false });
    if (!Array.isArray(docs)) continue;
    docs.forEach((d, i) => {
      if (d.errors.length > 0) {
        for (const e of d.errors)
          errors.push({ path: `${f.path}:${lc.linePos(e.pos[0]).line}`, message: `YAML: ${firstLine(e.message)}` });
        return;
      }
      const value: unknown = d.toJS();
      if (value === null || value === undefined) return;
      const kind = (value as { kind?: unknown }).kind;
      const where = docs.length > 1 ? `${f.path}#${i + 1}` : f.path;
      if (kind === 'PolicyTest') {
        const r = policyTestSchema.safeParse(value);
        if (r.success) tests.push({ file: f.path, doc: r.data });
        else
          for (const det of issuesToDetails(r.error))
            errors.push({ path: `${where}: ${det.path}`, message: det.message });
        return;
      }
      if (kind !== 'Policy') {
        errors.push({ path: where, message: `kind must be Policy or PolicyTest, got ${JSON.stringify(kind)}` });
        return;
      }
      const r = policySchema.safeParse(value);
      if (!r.success) {
        for (const det of issuesToDetails(r.error))
          errors.push({ path: `${where}: ${det.path}`, message: det.message });
        return;
      }
      const name = r.data.metadata.name;
      if (seen.has(name)) {
        errors.push({
          path: where,
          message: `policy ${name} is defined twice (also in ${seen.get(name)}); policy names must be unique in a bundle`,
        });
        return;
      }
      seen.set(name, where);
      const node = d.getIn(['spec', 'condition'], true);
      const scalar = isScalar(node) ? node : undefined;
      const src = r.data.spec.condition ?? '';
      const at = (offset: number) => conditionPosition(scalar, lc, f.content, src, offset) || '1:1';
      const p = compilePolicy(r.data, f.path, at, env, limits, errors);
      if (p) policies.push(p);
    });
  }
  if (errors.length > 0) {
    throw new InvalidInputError(`Policy bundle is invalid: ${errors[0].path}: ${errors[0].message}`, errors);
  }
  policies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const hash = createHash('sha256')
    .update(canonicalize(policies.map((p) => p.doc)) ?? '[]')
    .digest('hex');
  return { revision: hash.slice(0, 16), hash, policies, tests };
}
