// Console bench: p95 server time of each console page with 1,000 apps (BENCH_APPS) submitted through the real apps
// service, beside GET /healthz in the same run. Times are loopback round trips, so they include HTTP itself.
// Run with `npm run bench:console`.
import { performance } from 'node:perf_hooks';
import { readAppBundle } from '../src/apps/app-bundle.js';
import { startTestGatehouse } from '../src/testing/test-gatehouse.js';

const APPS = Number(process.env.BENCH_APPS ?? 1000);
const N = Number(process.env.BENCH_N ?? 100);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

const t = await startTestGatehouse({ store: (process.env.BENCH_STORE as 'sqlite' | 'postgres') ?? 'sqlite' });
try {
  const bundle = readAppBundle('examples/apps/transcript-insights/app.yaml');
  const alice = { user: 'alice', roles: ['creator' as const], groups: ['support'] };
  const started = performance.now();
  for (let i = 0; i < APPS; i++) {
    const m = structuredClone(bundle.manifest) as { metadata: { name: string } };
    m.metadata.name = `bench-app-${String(i).padStart(5, '0')}`;
    await t.gh.apps.submit(m, bundle.code, alice);
  }
  process.stdout.write(
    `submitted ${APPS} apps (each with an approval request) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );

  const signIn = await fetch(`${t.url}/sign-in`, {
    method: 'POST',
    body: new URLSearchParams({ token: t.adminToken }),
    redirect: 'manual',
  });
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
  const pending = (await t.api('GET', '/api/v1/approvals?state=pending')).body.items as { id: string }[];
  const pages: [string, string][] = [
    ['GET /healthz (baseline)', '/healthz'],
    ['apps, first page', '/apps'],
    ['apps, page after #500', `/apps?after=bench-app-${String(Math.floor(APPS / 2)).padStart(5, '0')}`],
    ['apps, name filter', '/apps?q=app-009'],
    ['apps, state filter', '/apps?state=pending_approval&after=bench-app-00900'],
    ['catalog models', '/catalog/models'],
    ['approvals queue', '/approvals'],
    ['approval detail', `/approvals/${pending[0].id}`],
    ['kill switches', '/kills'],
    ['app detail', `/apps/bench-app-${String(Math.floor(APPS / 2)).padStart(5, '0')}`],
    ['audit', '/audit'],
    ['data-flow map (20 apps)', '/flows'],
    ['policies and alerts', '/policies'],
  ];
  process.stdout.write(`\n${'page'.padEnd(28)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}  bytes\n`);
  for (const [label, path] of pages) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < N + 5; i++) {
      const s = performance.now();
      const r = await fetch(`${t.url}${path}`, { headers: { cookie } });
      const body = await r.text();
      if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${body.slice(0, 200)}`);
      if (i >= 5) times.push(performance.now() - s);
      bytes = body.length;
    }
    process.stdout.write(
      `${label.padEnd(28)} ${pct(times, 0.5).toFixed(2).padStart(8)} ${pct(times, 0.95).toFixed(2).padStart(8)}  ${bytes}\n`,
    );
  }
  process.stdout.write(`\n(${N} sequential requests per page after 5 warm-up; ${APPS} apps; admin session)\n`);
} finally {
  await t.close();
}
