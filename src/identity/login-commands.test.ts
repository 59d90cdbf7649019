// `gatehouse login` end to end: the device authorization grant against a real OpenID Provider, approved by the
// "person" at the verification page; the sign-in is cached with mode 0600, the CLI then acts as that user, an
// expired access token is refreshed, and logout forgets it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../cli/program.js';
import { tempDir } from '../testing/databases.js';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import { CLI_CLIENT, TestIdp } from './testing/test-idp.js';
import type { CachedLogin } from './login-cache.js';

describe('gatehouse login (device flow)', () => {
  let idp: TestIdp;
  let t: TestGatehouse;
  const configDir = join(tempDir(), 'config');
  let env: Record<string, string>;

  before(async () => {
    idp = await TestIdp.start({ pat: { email: 'pat@acme.test', email_verified: true, preferred_username: 'pat' } });
    t = await startTestGatehouse({
      config: {
        identity: {
          oidc: {
            issuer: idp.issuer,
            audience: idp.audience,
            clientId: CLI_CLIENT,
            roleMapping: [{ claim: 'email_domain', value: 'acme.test', roles: ['creator'] }],
          },
        },
      },
    });
    env = { GATEHOUSE_URL: t.url, GATEHOUSE_CONFIG_DIR: configDir, GATEHOUSE_HOME: tempDir() };
  });
  after(async () => {
    await t.close();
    await idp.close();
  });

  const run = async (args: string[]) => {
    let out = '';
    let err = '';
    const code = await runCli(args, { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') }, env);
    return { code, out, err };
  };

  it('signs in with a device code approved at the IdP, caches it 0600, and the CLI then acts as the user', async () => {
    let err = '';
    const login = runCli(['login'], { out: () => undefined, err: (s) => (err += s + '\n') }, env);
    // The person reads the code off the terminal and approves it in the browser.
    let m: RegExpExecArray | null = null;
    for (let i = 0; i < 200 && !m; i++) {
      await new Promise((r) => setTimeout(r, 25));
      m = /open (\S+)\s+and enter the code: (\S+)/.exec(err);
    }
    assert.ok(m, `login printed no code: ${err}`);
    idp.approveAs = 'pat';
    await idp.approveDevice(m[1], m[2]);
    assert.equal(await login, 0, err);

    const file = join(configDir, 'login.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const cached = JSON.parse(readFileSync(file, 'utf8')) as CachedLogin;
    assert.equal(cached.server, t.url);
    assert.ok(cached.refreshToken, 'a refreshable sign-in');

    const who = await run(['whoami']);
    assert.equal(who.code, 0, who.err);
    assert.match(who.out, /^pat \(roles: creator/);

    // An access token about to expire is refreshed with the refresh token before the call.
    const stale: CachedLogin = { ...cached, expiresAt: Date.now() - 1 };
    const { writeLogin } = await import('./login-cache.js');
    writeLogin(env, stale);
    assert.match((await run(['whoami'])).out, /^pat /);
    const after = JSON.parse(readFileSync(file, 'utf8')) as CachedLogin;
    assert.notEqual(after.accessToken, cached.accessToken);
    assert.ok(after.expiresAt > Date.now());
    assert.equal(statSync(file).mode & 0o777, 0o600);

    // The sign-in is for this server only: pointed at another URL the CLI does not send it.
    const elsewhere = await runCli(
      ['whoami'],
      { out: () => undefined, err: () => undefined },
      {
        ...env,
        GATEHOUSE_URL: t.url.replace('127.0.0.1', 'localhost'),
      },
    );
    assert.notEqual(elsewhere, 0);

    assert.equal((await run(['logout'])).code, 0);
    assert.notEqual((await run(['whoami'])).code, 0, 'signed out');
  });
});
