// Validates Kubernetes objects against the JSON schemas vendored in test/fixtures/kubernetes-schemas (generated from
// the Kubernetes OpenAPI document), made strict the way kubeconform's strict schemas are: no unknown fields.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { repoPath } from '../core/repo-root.js';

export const KUBERNETES_SCHEMA_VERSION = 'v1.34.0';

const schemaFiles: Record<string, string> = {
  'v1/ConfigMap': 'configmap-v1.json',
  'v1/Secret': 'secret-v1.json',
  'v1/Service': 'service-v1.json',
  'apps/v1/Deployment': 'deployment-apps-v1.json',
  'policy/v1/PodDisruptionBudget': 'poddisruptionbudget-policy-v1.json',
};

type Node = Record<string, unknown>;

/** Every object schema that lists its properties refuses others (the upstream files allow anything extra). */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (typeof node !== 'object' || node === null) return node;
  const out: Node = {};
  for (const [k, v] of Object.entries(node as Node)) out[k] = k === 'properties' ? mapValues(v as Node) : strict(v);
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}
function mapValues(props: Node): Node {
  const out: Node = {};
  for (const [k, v] of Object.entries(props)) out[k] = strict(v);
  return out;
}

const intRange = (bits: 32 | 64) => ({
  type: 'number' as const,
  validate: (n: number) =>
    Number.isInteger(n) && (bits === 64 ? Number.isSafeInteger(n) : n >= -(2 ** 31) && n < 2 ** 31),
});

export class KubernetesSchemaValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    this.ajv.addFormat('int32', intRange(32));
    this.ajv.addFormat('int64', intRange(64));
    // Formats the API server checks itself; the schemas name them, the validator accepts any string for them.
    for (const f of ['byte', 'date-time', 'double', 'int-or-string']) this.ajv.addFormat(f, true);
  }

  /** The kinds this validator has schemas for, as apiVersion/kind. */
  kinds(): string[] {
    return Object.keys(schemaFiles);
  }

  /** Errors for one object (empty when valid); an unknown apiVersion/kind is an error too. */
  validate(doc: unknown): string[] {
    const d = doc as { apiVersion?: unknown; kind?: unknown };
    const key = `${String(d?.apiVersion)}/${String(d?.kind)}`;
    const file = schemaFiles[key];
    if (!file) return [`no vendored schema for ${key}`];
    let fn = this.compiled.get(key);
    if (!fn) {
      const raw = JSON.parse(
        readFileSync(repoPath('test', 'fixtures', 'kubernetes-schemas', KUBERNETES_SCHEMA_VERSION, file), 'utf8'),
      ) as Node;
      delete raw.$schema;
      fn = this.ajv.compile(strict(raw) as Node);
      this.compiled.set(key, fn);
    }
    if (fn(doc)) return [];
    return (fn.errors ?? []).map(
      (e) => `${key} ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    );
  }
}
