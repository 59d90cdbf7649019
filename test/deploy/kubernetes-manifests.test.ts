// The Kubernetes manifests under deploy/kubernetes validate against the Kubernetes API schemas (kubernetes-models,
// generated from the official OpenAPI documents), and hold what production needs: replicas on shared stores,
// secrets from a Secret, non-root with a read-only root filesystem, probes on /healthz, a disruption budget.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { repoPath } from '../../src/core/repo-root.js';

const models = { ConfigMap, Secret, Service, Deployment, PodDisruptionBudget } as const;
type Kind = keyof typeof models;

function load(file: string): { kind: Kind; doc: Record<string, unknown> }[] {
  return parseAllDocuments(readFileSync(repoPath('deploy', 'kubernetes', file), 'utf8')).map((d) => {
    const doc = d.toJS() as Record<string, unknown>;
    return { kind: doc.kind as Kind, doc };
  });
}

const files = ['configmap.yaml', 'secret.example.yaml', 'deployment.yaml', 'service.yaml', 'pdb.yaml'];

describe('deploy/kubernetes manifests', () => {
  it('every document validates against its Kubernetes schema', () => {
    for (const file of files)
      for (const { kind, doc } of load(file)) {
        assert.ok(kind in models, `${file}: unexpected kind ${kind}`);
        const Model = models[kind] as unknown as new (d: Record<string, unknown>) => { validate(): void };
        assert.doesNotThrow(() => new Model(doc).validate(), `${file} (${kind}) is not valid`);
      }
  });

  it('the schema check catches a broken manifest (a probe port of the wrong type)', () => {
    const [{ doc }] = load('deployment.yaml');
    const broken = structuredClone(doc) as {
      spec: { template: { spec: { containers: { readinessProbe: { httpGet: { port: unknown } } }[] } } };
    };
    broken.spec.template.spec.containers[0].readinessProbe.httpGet.port = { not: 'a port' };
    assert.throws(() => new Deployment(broken as never).validate());
  });

  it('the deployment runs replicas non-root on a read-only root with secrets from the Secret and /healthz probes', () => {
    const [{ doc }] = load('deployment.yaml');
    const d = new Deployment(doc as never);
    assert.ok((d.spec?.replicas ?? 0) >= 2);
    const pod = d.spec!.template.spec!;
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    const c = pod.containers[0];
    assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(c.readinessProbe?.httpGet?.path, '/healthz');
    assert.equal(c.livenessProbe?.httpGet?.path, '/healthz');
    const fromSecret = (c.env ?? []).filter((e) => e.valueFrom?.secretKeyRef?.name === 'gatehouse-secrets');
    assert.deepEqual(fromSecret.map((e) => e.name).sort(), [
      'GATEHOUSE_ADMIN_TOKEN',
      'GATEHOUSE_COORD_KEY',
      'GATEHOUSE_DATABASE_URL',
      'GATEHOUSE_REDIS_URL',
    ]);
    const [{ doc: pdb }] = load('pdb.yaml');
    assert.deepEqual((pdb.spec as { selector: unknown }).selector, d.spec!.selector);
  });
});
