// Sets up the hostile corpus runs: canaries on the host, a runner with both tiers, a redirecting local server.
import { MemoryCatalog } from '../../src/catalog/testing/memory-catalog.js';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connectorSchema, datasetSchema } from '../../src/catalog/catalog-schema.js';
import { systemClock } from '../../src/core/clock.js';
import { repoPath } from '../../src/core/repo-root.js';
import { createDlpEngine } from '../../src/dlp/index.js';
import { DatasetQuery } from '../../src/connectors/dataset-query.js';
import type { Resolver } from '../../src/connectors/egress-guard.js';
import { scannerFromDlp } from '../../src/connectors/outbound-scanner.js';
import { AppRunner } from '../../src/sandbox/app-runner.js';
import { ContainerTier } from '../../src/sandbox/container-tier.js';
import { RunTokens } from '../../src/sandbox/run-token.js';
import { FakeGovernor, FakeLlm, MemoryAudit, MemoryTelemetry, testManifest } from '../../src/sandbox/sandbox-fakes.js';
import { WasmTier } from '../../src/sandbox/wasm-tier.js';
import { tempDir } from '../../src/testing/databases.js';
import { MemoryApps } from '../../src/apps/testing/memory-apps.js';

export interface HostileCase {
  name: string;
  description: string;
  tiers: ('wasm' | 'container' | 'container-escaped')[];
  expect: 'ok' | 'error' | 'timeout' | 'memory' | 'output_too_large' | 'failure';
  /** Run time limit for the case (`// timeoutMs: n`; default 2000). */
  timeoutMs: number;
  code: string;
}

export function loadCorpus(): HostileCase[] {
  const dir = repoPath('test/hostile/cases');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .sort()
    .map((f) => {
      const code = readFileSync(join(dir, f), 'utf8');
      const header = (k: string) => new RegExp(`^// ${k}: (.+)$`, 'm').exec(code)?.[1].trim() ?? '';
      return {
        name: f.replace(/\.js$/, ''),
        description: header('hostile'),
        tiers: header('tiers').split(/\s+/) as HostileCase['tiers'],
        expect: header('expect') as HostileCase['expect'],
        timeoutMs: Number(header('timeoutMs') || 2000),
        code,
      };
    });
}

export const CANARY_ENV = 'GATEHOUSE_HOSTILE_CANARY';

export async function startHarness() {
  const envCanary = `env-canary-${randomBytes(8).toString('hex')}`;
  const fileCanary = `file-canary-${randomBytes(8).toString('hex')}`;
  process.env[CANARY_ENV] = envCanary;
  const home = tempDir('gh-hostile-');
  const secretPath = join(home, 'secret.txt');
  writeFileSync(secretPath, fileCanary, { mode: 0o600 });
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    received.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
    const port = (server.address() as AddressInfo).port;
    if (req.url === '/to-metadata')
      return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam/' }).end();
    if (req.url === '/to-other-port')
      return void res.writeHead(307, { location: `http://127.0.0.1:${port + 1}/admin` }).end();
    if (req.url === '/to-metadata-name')
      return void res.writeHead(301, { location: 'http://metadata.google.internal/computeMetadata/v1/' }).end();
    res.end('collected');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const resolver: Resolver = async (host) =>
    host === 'rebind.test'
      ? [
          { address: '93.184.216.34', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ]
      : host === 'localhost'
        ? [{ address: '127.0.0.1', family: 4 }]
        : [{ address: '192.0.2.1', family: 4 }];
  const catalog = new MemoryCatalog([
    datasetSchema.parse({
      apiVersion: 'gatehouse/v1',
      kind: 'Dataset',
      metadata: { name: 'orders', owner: 'dana' },
      spec: {
        classification: 'pii',
        region: 'eu',
        source: { kind: 'csv', path: 'orders.csv' },
        columns: [{ name: 'region' }, { name: 'email', tags: ['pii'] }],
      },
    }),
    connectorSchema.parse({
      apiVersion: 'gatehouse/v1',
      kind: 'Connector',
      metadata: { name: 'local', owner: 'ops' },
      spec: { kind: 'http', endpoints: [`http://127.0.0.1:${port}/`], allowPrivateNetwork: true, approved: true },
    }),
  ]);
  writeFileSync(join(home, 'orders.csv'), 'region,email\neu,a@example.com\n');
  const governor = new FakeGovernor();
  const audit = new MemoryAudit();
  const telemetry = new MemoryTelemetry();
  const llm = new FakeLlm();
  const apps = new MemoryApps();
  const spec = (tier: 'wasm' | 'container') =>
    testManifest(
      'x',
      {
        models: [{ id: 'gpt-4o-mini' }],
        data: [{ dataset: 'orders', access: 'read', purpose: 'hostile tests', columns: ['region'] }],
        connectors: [{ id: 'local' }],
        egress: [
          '169.254.169.254',
          '127.0.0.1',
          'localhost',
          'approved.example',
          'evil.example',
          'rebind.test',
          '2130706433',
          '0.0.0.0',
        ],
      },
      tier,
    ).spec;
  const tiers = { wasm: new WasmTier(), container: new ContainerTier() };
  const escaped = new ContainerTier({ assumeVmEscape: true });
  const deps = {
    apps,
    governor,
    audit,
    telemetry,
    clock: systemClock,
    tokens: new RunTokens(systemClock),
    catalog,
    llm,
    datasets: new DatasetQuery(home),
    scanner: scannerFromDlp(createDlpEngine()),
    resolver,
    maxLimits: { timeoutMs: 20_000, memoryMb: 64, maxOutputBytes: 1_000_000 },
  };
  const runner = new AppRunner({ ...deps, tiers });
  const escapedRunner = new AppRunner({ ...deps, tiers: { container: escaped } });
  let n = 0;
  const addApp = (c: HostileCase, tier: 'wasm' | 'container') => {
    const name = `h${++n}-${c.name}`.slice(0, 60).replace(/[^a-z0-9-]/g, '-');
    apps.add(
      {
        apiVersion: 'gatehouse/v1',
        kind: 'App',
        metadata: { name, owner: 'mallory' },
        spec: { ...(spec(tier) as object), runtime: { tier, entrypoint: 'main.js', timeoutMs: c.timeoutMs } },
      },
      { 'main.js': c.code },
    );
    return name;
  };
  return {
    envCanary,
    fileCanary,
    secretPath,
    port,
    received,
    server,
    runner,
    escapedRunner,
    audit,
    governor,
    llm,
    addApp,
  };
}
