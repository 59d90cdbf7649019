// Console bench: p95 server time of each console page with 1,000 apps (BENCH_APPS) submitted through the real apps
// service and 1,000,000 audit entries (BENCH_AUDIT) appended to the verifiable log, beside GET /healthz in the same
// run. Times are loopback round trips, so they include HTTP itself. Run with `npm run bench:console`. With
// BENCH_SUBMITTED < BENCH_APPS only that many go through the service; the rest are copies of the first one's stored
// rows (bench/seed-apps.ts), e.g. BENCH_APPS=10000 BENCH_SUBMITTED=20 for the 10,000-app inventory.
import { performance } from 'node:perf_hooks';
import { readAppBundle } from '../src/apps/app-bundle.js';
import { startTestGatehouse } from '../src/testing/test-gatehouse.js';
import { seedApps } from './seed-apps.js';
import { seedAudit } from './seed-audit.js';

const APPS = Number(process.env.BENCH_APPS ?? 1000);
const N = Number(process.env.BENCH_N ?? 100);
const AUDIT = Number(process.env.BENCH_AUDIT ?? 1_000_000);
const SUBMITTED = Math.min(APPS, Number(process.env.BENCH_SUBMITTED ?? APPS));
const appName = (i: number) => `bench-app-${String(i).padStart(5, '0')}`;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

const t = await startTestGatehouse({ store: (process.env.BENCH_STORE as 'sqlite' | 'postgres') ?? 'sqlite' });
try {
  const bundle = readAppBundle('examples/apps/transcript-insights/app.yaml');
  const alice = { user: 'alice', roles: ['creator' as const], groups: ['support'] };
  const started = performance.now();
  for (let i = 0; i < SUBMITTED; i++) {
    const m = structuredClone(bundle.manifest) as { metadata: { name: string } };
    m.metadata.name = appName(i);
    await t.gh.apps.submit(m, bundle.code, alice);
  }
  process.stdout.write(
    `submitted ${SUBMITTED} apps (each with an approval request) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  const names = Array.from({ length: APPS }, (_, i) => appName(i));
  if (SUBMITTED < APPS) {
    await t.gh.policy.decisionLog.flush();
    const c = await seedApps(t.gh.db, names[0], names.slice(SUBMITTED));
    process.stdout.write(
      `copied ${names[0]}'s rows for ${c.versions} more apps (${c.approvals} approval requests, ${c.decisions} recorded decisions) in ${c.seconds.toFixed(1)} s\n`,
    );
  }
  await t.gh.auditLog.flush();
  const seeded = await seedAudit(t.gh.db, t.home, AUDIT, names);
  const catchUp = performance.now();
  await t.gh.audit.append({ type: 'bench.seeded', actor: 'bench', ids: {}, data: { entries: AUDIT } });
  await t.gh.auditLog.flush();
  process.stdout.write(
    `appended ${AUDIT} audit entries (tree size now ${seeded.size}, signed checkpoint) in ${seeded.seconds.toFixed(1)} s; the live log caught up and checked the extension on its next append in ${((performance.now() - catchUp) / 1000).toFixed(2)} s\n`,
  );
  const latest = await t.gh.auditLog.latestCheckpoint();
  if (!latest || latest.size !== seeded.size + 1)
    throw new Error(`checkpoint size ${latest?.size}, expected ${seeded.size + 1}`);

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
    [`apps, page after #${Math.floor(APPS / 2)}`, `/apps?after=${appName(Math.floor(APPS / 2))}`],
    [`apps, page after #${APPS - 60}`, `/apps?after=${appName(APPS - 60)}`],
    ['apps, name filter', '/apps?q=app-009'],
    ['apps, state filter', `/apps?state=pending_approval&after=${appName(APPS - 100)}`],
    ['catalog models', '/catalog/models'],
    ['approvals queue', '/approvals'],
    ['approval detail', `/approvals/${pending[0].id}`],
    ['kill switches', '/kills'],
    ['app detail', `/apps/${appName(Math.floor(APPS / 2))}`],
    ['audit (newest 25)', '/audit'],
    ['audit, app filter', `/audit?app=${names[Math.floor(APPS / 2)]}`],
    ['audit, app + type filter', `/audit?app=${names[Math.floor(APPS / 2)]}&type=app.run.finished`],
    ['data-flow map (20 apps)', '/flows'],
    ['policies and alerts', '/policies'],
    ['guides', '/guides'],
    ['policy simulation form', '/policies/simulate'],
    ['dashboards, compare apps 7d', '/dashboards?dim=app&window=7d&kind=run&metric=events'],
    ['dashboards, one app 24h', `/dashboards?dim=app&key=${names[Math.floor(APPS / 2)]}&window=24h`],
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
  // The simulation posts a policy (a form with CSRF) and replays the last 24 h of recorded decisions.
  const form = await (await fetch(`${t.url}/policies/simulate`, { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(form)![1];
  const policy = `apiVersion: gatehouse/v1\nkind: Policy\nmetadata:\n  name: bench_freeze\nspec:\n  match:\n    actions: [app.submit]\n  condition: 'true'\n  effect: deny\n  message: frozen\n`;
  const sim: number[] = [];
  for (let i = 0; i < 25; i++) {
    const s = performance.now();
    const r = await fetch(`${t.url}/policies/simulate`, {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({ _csrf: csrf, policy, mode: 'add', since: '24h' }),
    });
    const body = await r.text();
    if (r.status !== 200) throw new Error(`simulate answered ${r.status}: ${body.slice(0, 300)}`);
    if (i >= 5) sim.push(performance.now() - s);
  }
  process.stdout.write(
    `${'policy simulation (POST)'.padEnd(28)} ${pct(sim, 0.5).toFixed(2).padStart(8)} ${pct(sim, 0.95).toFixed(2).padStart(8)}  (20 runs; replays ${(await t.api('POST', '/api/v1/policies/simulate', { files: [{ path: 'b.yaml', content: policy }] })).body.replayed} decisions)\n`,
  );
  process.stdout.write(
    `\n(${N} sequential requests per page after 5 warm-up; ${APPS} apps; ${seeded.size + 1} audit entries; admin session)\n`,
  );
} finally {
  await t.close();
}
