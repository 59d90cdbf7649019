// Writes a screenshot of each console page to docs/console/ from a seeded throwaway server, driven through
// Debian's chromium (playwright-core by path). Run with `npm run console:screenshots`.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, signedInPage } from '../src/console/testing/console-browser.js';
import { startTestGatehouse } from '../src/testing/test-gatehouse.js';

const out = join('docs', 'console');
mkdirSync(out, { recursive: true });
const t = await startTestGatehouse();
const browser = await launchChromium();
try {
  const sam = await signedInPage(browser, t.url, await t.tokenFor('sam'));
  await sam.setViewportSize({ width: 1280, height: 800 });
  const pending = (await t.api('GET', '/api/v1/approvals?state=pending')).body.items as { id: string }[];
  await t.api('POST', '/api/v1/kills', { scope: 'user', id: 'lee', reason: 'screenshot: suspicious sign-ins' });
  const shots: [string, string][] = [
    ['apps', '/apps'],
    ['catalog-datasets', '/catalog/datasets'],
    ['flows', '/flows'],
    ['approvals', '/approvals?all=1'],
    ['approval', `/approvals/${pending[0].id}`],
    ['kills', '/kills'],
    ['app', '/apps/transcript-insights'],
    ['audit', '/audit'],
    ['policies', '/policies'],
    ['guides', '/guides#risk-factors'],
    ['simulate', '/policies/simulate'],
    ['dashboards', '/dashboards?dim=app&window=24h&kind=run&metric=events'],
  ];
  for (const [name, path] of shots) {
    await sam.goto(path);
    await sam.screenshot({ path: join(out, `${name}.png`), fullPage: false });
    process.stdout.write(`${join(out, `${name}.png`)}\n`);
  }
} finally {
  await browser.close();
  await t.close();
}
