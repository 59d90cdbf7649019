// The Helm chart in deploy/helm/gatehouse renders (Go's text/template engine, not the helm binary: see
// src/testing/render-helm-chart.ts) to manifests that validate against the vendored Kubernetes JSON schemas, hold
// what production needs, follow their values, and with the defaults equal the kustomize manifests in deploy/kubernetes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { repoPath } from '../../src/core/repo-root.js';
import { KubernetesSchemaValidator } from '../../src/testing/kubernetes-schema-validator.js';
import { renderHelmChart } from '../../src/testing/render-helm-chart.js';

type Obj = Record<string, unknown> & { kind: string; metadata: { name: string; labels?: Record<string, string> } };
// Kubernetes reads YAML 1.1 (0440 is octal there, as in the Secret volume's defaultMode).
const parse = (text: string): Obj[] =>
  parseAllDocuments(text, { version: '1.1' })
    .map((d) => d.toJS() as Obj | null)
    .filter((d): d is Obj => d !== null);

const chartDir = repoPath('deploy', 'helm', 'gatehouse');
async function render(values?: Record<string, unknown>, releaseName = 'gatehouse'): Promise<Obj[]> {
  return (await renderHelmChart(chartDir, { releaseName, values })).flatMap((t) => parse(t.text));
}
const byKind = (docs: Obj[], kind: string): Obj => {
  const found = docs.filter((d) => d.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0];
};

interface Container {
  name: string;
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  securityContext: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  initContainers: Container[];
  volumes: { name: string; emptyDir?: object; secret?: { secretName: string } }[];
}
const podSpec = (d: Obj) => (d.spec as { template: { spec: PodSpec } }).template.spec;

const validator = new KubernetesSchemaValidator();

describe('deploy/helm/gatehouse chart', () => {
  it('renders a Deployment, Service, ConfigMap and PodDisruptionBudget that validate against the schemas', async () => {
    const docs = await render();
    assert.deepEqual(docs.map((d) => d.kind).sort(), ['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service']);
    for (const d of docs) assert.deepEqual(validator.validate(d), [], `${d.kind} ${d.metadata.name}`);
  });

  it('the schema check refuses a wrong type, an unknown field and an unknown kind', async () => {
    const docs = await render({ replicaCount: 'three' });
    assert.match(validator.validate(byKind(docs, 'Deployment')).join('\n'), /\/spec\/replicas must be integer/);
    const dep = structuredClone(byKind(await render(), 'Deployment'));
    (podSpec(dep).containers[0] as unknown as Record<string, unknown>).readOnlyRootFileSystem = true; // typo
    assert.match(validator.validate(dep).join('\n'), /must NOT have additional properties.*readOnlyRootFileSystem/);
    assert.deepEqual(validator.validate({ apiVersion: 'v1', kind: 'Pod' }), ['no vendored schema for v1/Pod']);
  });

  it('runs N non-root replicas on a read-only root, GATEHOUSE_HOME writable, secrets by reference, /healthz probes', async () => {
    const docs = await render();
    const dep = byKind(docs, 'Deployment');
    assert.equal((dep.spec as { replicas: number }).replicas, 3);
    const pod = podSpec(dep);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.runAsUser, 10001);
    const [c] = pod.containers;
    for (const x of [c, ...pod.initContainers]) {
      assert.equal(x.securityContext?.readOnlyRootFilesystem, true, x.name);
      assert.equal(x.securityContext?.allowPrivilegeEscalation, false, x.name);
    }
    assert.equal(c.readinessProbe?.httpGet?.path, '/healthz');
    assert.equal(c.livenessProbe?.httpGet?.path, '/healthz');
    const home = c.env?.find((e) => e.name === 'GATEHOUSE_HOME');
    const mount = c.volumeMounts?.find((m) => m.mountPath === (home as { value?: string } | undefined)?.value);
    assert.ok(mount, 'GATEHOUSE_HOME is a mounted volume');
    assert.ok(pod.volumes.find((v) => v.name === mount.name)?.emptyDir, 'GATEHOUSE_HOME is an emptyDir');
    const refs = (c.env ?? []).filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name);
    assert.deepEqual(refs.sort(), [
      'GATEHOUSE_ADMIN_TOKEN',
      'GATEHOUSE_COORD_KEY',
      'GATEHOUSE_DATABASE_URL',
      'GATEHOUSE_REDIS_URL',
    ]);
    assert.equal(pod.volumes.find((v) => v.name === 'secrets')?.secret?.secretName, 'gatehouse-secrets');
    const pdb = byKind(docs, 'PodDisruptionBudget').spec as { selector: unknown; minAvailable: number };
    assert.deepEqual(pdb.selector, (dep.spec as { selector: unknown }).selector);
    assert.equal(pdb.minAvailable, 2);
    const cm = byKind(docs, 'ConfigMap') as unknown as { data: Record<string, string> };
    assert.match(cm.data['gatehouse.yaml'], /witnessUrl: https:\/\/witness\.example\.com/);
  });

  it('follows its values: replicas, release name, Secret name and keys, config, annotations', async () => {
    const config = 'logLevel: debug\naudit:\n  origin: "quoted: value"\n';
    const docs = await render(
      {
        replicaCount: 5,
        secrets: { existingSecret: 'prod-secrets', keys: { databaseUrl: 'pg-url' } },
        config,
        podAnnotations: { 'example.com/config-sha': 'abc' },
      },
      'gh-prod',
    );
    for (const d of docs) assert.deepEqual(validator.validate(d), [], d.kind);
    const dep = byKind(docs, 'Deployment');
    assert.equal((dep.spec as { replicas: number }).replicas, 5);
    assert.equal(dep.metadata.name, 'gh-prod');
    const pod = podSpec(dep);
    const refs = (pod.containers[0].env ?? []).flatMap((e) =>
      e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [],
    );
    assert.ok(refs.every((r) => r.name === 'prod-secrets'));
    assert.ok(refs.some((r) => r.key === 'pg-url'));
    assert.ok(
      refs.some((r) => r.key === 'redis-url'),
      'keys not overridden keep their defaults',
    );
    const meta = (dep.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata;
    assert.deepEqual(meta.annotations, { 'example.com/config-sha': 'abc' });
    const cm = byKind(docs, 'ConfigMap') as unknown as { metadata: { name: string }; data: Record<string, string> };
    assert.equal(cm.metadata.name, 'gh-prod-config');
    assert.equal(cm.data['gatehouse.yaml'], config, 'the config survives quoting byte for byte');
  });

  it('with the default values renders the same objects as deploy/kubernetes (less the Helm-only labels)', async () => {
    const helmOnly = ['app.kubernetes.io/managed-by', 'helm.sh/chart'];
    const chart = (await render()).map((d) => {
      const c = structuredClone(d);
      for (const l of helmOnly) delete c.metadata.labels?.[l];
      return c;
    });
    const kustomize = ['configmap.yaml', 'deployment.yaml', 'service.yaml', 'pdb.yaml'].flatMap((f) =>
      parse(readFileSync(repoPath('deploy', 'kubernetes', f), 'utf8')),
    );
    const key = (d: Obj) => `${d.kind}/${d.metadata.name}`;
    assert.deepEqual(chart.map(key).sort(), kustomize.map(key).sort());
    for (const k of kustomize)
      assert.deepEqual(
        chart.find((c) => key(c) === key(k)),
        k,
        `${key(k)} differs between the chart and kustomize`,
      );
    for (const k of [
      ...kustomize,
      ...parse(readFileSync(repoPath('deploy', 'kubernetes', 'secret.example.yaml'), 'utf8')),
    ])
      assert.deepEqual(validator.validate(k), [], `deploy/kubernetes ${key(k)}`);
  });

  it('the renderer fails loudly on a Sprig function or a value key the chart does not define', async () => {
    const { parse: go } = await import('@evertdespiegeleer/go-template');
    await assert.rejects(go('{{ toYaml .Values }}', { Values: {} }), /function "toYaml" not defined/);
    await assert.rejects(go('{{ .Values.nope }}', { Values: {} }), /no entry for key "nope"/);
  });
});
