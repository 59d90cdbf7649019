// Provider keys set through the API and CLI: sealed at rest, never shown, admin only, audited, and rotated into a
// running server (and its other replicas) from the next call, checked against a recording provider.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { runCli } from '../cli/program.js';
import { repoPath } from '../core/repo-root.js';
import type { Logger } from '../core/logger.js';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { systemClock } from '../core/clock.js';
import { ModelKeys, MODEL_KEYS_SEAL_FILE } from './model-keys.js';
import { RecordingProvider } from './testing/recording-provider.js';
import { appVersion, modelDoc, startHarness, type Harness } from './testing/gateway-harness.js';

const KEY1 = 'sk-rotate-FIRST-7c1d9e0a44b2';
const KEY2 = 'sk-rotate-SECOND-0f8e2b1c9d3a';
const ENV_KEY = 'sk-from-env-wins-5a5a5a';

const logLines: string[] = [];
const capture: Logger = {
  error: (m, f) => logLines.push(m + JSON.stringify(f ?? {})),
  warn: (m, f) => logLines.push(m + JSON.stringify(f ?? {})),
  info: (m, f) => logLines.push(m + JSON.stringify(f ?? {})),
  debug: (m, f) => logLines.push(m + JSON.stringify(f ?? {})),
};

async function cli(h: Harness, token: string, env: Record<string, string>, ...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    { out: (t) => void (out += t + '\n'), err: (t) => void (err += t + '\n') },
    { GATEHOUSE_URL: h.url, GATEHOUSE_TOKEN: token, ...env },
  );
  return { code, out, err };
}

async function api(h: Harness, token: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${h.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, text: await r.text() };
}

describe('model keys', () => {
  let h: Harness;
  let rec: RecordingProvider;
  let client: OpenAI;
  const answers: string[] = [];
  before(async () => {
    rec = await new RecordingProvider().start();
    h = await startHarness({ logger: capture, env: { GATEHOUSE_MODEL_KEY_ENV_WINS: ENV_KEY } });
    h.catalog.put(modelDoc('rotating', 'openai', `${rec.url}/v1`));
    h.catalog.put(modelDoc('env-wins', 'openai', `${rec.url}/v1`));
    h.apps.put(appVersion('desk', { models: [{ id: 'rotating' }, { id: 'env-wins' }] }));
    client = new OpenAI({ apiKey: await h.key('desk'), baseURL: `${h.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await h.close();
    await rec.close();
  });
  const call = async (model = 'rotating') => {
    await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
    return rec.last.headers.authorization;
  };

  it('refuses a call before any key is set, naming the command to run', async () => {
    await assert.rejects(call(), (e: Error & { status?: number }) => {
      assert.match(e.message, /gatehouse model key set rotating/);
      return true;
    });
  });

  it('sets a key from an env var via the CLI, and the running server uses it on the next call', async () => {
    const r = await cli(h, 'admin-token', { MY_KEY: KEY1 }, 'model', 'key', 'set', 'rotating', '--from-env', 'MY_KEY');
    assert.equal(r.code, 0, r.err);
    answers.push(r.out, r.err);
    assert.match(r.out, /sha256:[0-9a-f]{12}/);
    assert.equal(await call(), `Bearer ${KEY1}`);
  });

  it('rotates through stdin of a real CLI process; the next call carries the new key', async () => {
    const script = `import(${JSON.stringify(repoPath('dist/src/cli/program.js'))}).then(async (m) => {
      const code = await m.runCli(['model', 'key', 'set', 'rotating'],
        { out: (t) => process.stdout.write(t + '\\n'), err: (t) => process.stderr.write(t + '\\n') },
        { GATEHOUSE_URL: ${JSON.stringify(h.url)}, GATEHOUSE_TOKEN: 'admin-token' });
      process.exit(code);
    })`;
    // Async: the server under test runs in this process, so a blocking spawn would deadlock it.
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(KEY2 + '\n');
    const status = await new Promise<number | null>((r) => child.on('close', r));
    const p = { status, stdout, stderr };
    assert.equal(p.status, 0, p.stderr);
    answers.push(p.stdout, p.stderr);
    assert.match(p.stdout, /set the provider key of rotating/);
  });

  it('uses the rotated key without a restart', async () => {
    assert.equal(await call(), `Bearer ${KEY2}`);
  });

  it('lists names, who set them, when and the fingerprint; the env var still wins and says so', async () => {
    const envSet = await cli(h, 'admin-token', { K: KEY1 }, 'model', 'key', 'set', 'env-wins', '--from-env', 'K');
    assert.equal(envSet.code, 0, envSet.err);
    answers.push(envSet.out, envSet.err);
    assert.match(envSet.out, /wins until it is unset/);
    assert.equal(await call('env-wins'), `Bearer ${ENV_KEY}`);
    const l = await cli(h, 'admin-token', {}, 'model', 'key', 'list', '--json');
    assert.equal(l.code, 0, l.err);
    answers.push(l.out);
    const keys = (JSON.parse(l.out) as { keys: Array<Record<string, unknown>> }).keys;
    assert.deepEqual(
      keys.map((k) => [k.model, k.setBy, k.overriddenByEnv]),
      [
        ['env-wins', 'admin', true],
        ['rotating', 'admin', false],
      ],
    );
    assert.deepEqual(Object.keys(keys[0]).sort(), ['fingerprint', 'model', 'overriddenByEnv', 'setAt', 'setBy']);
  });

  it('a non-admin can neither set, list nor remove a key', async () => {
    const put = await api(h, 'alice-token', 'PUT', '/api/v1/model-keys/rotating', { key: 'sk-attacker' });
    assert.equal(put.status, 403, put.text);
    assert.equal((await api(h, 'alice-token', 'GET', '/api/v1/model-keys')).status, 403);
    assert.equal((await api(h, 'alice-token', 'DELETE', '/api/v1/model-keys/rotating')).status, 403);
    const byCli = await cli(
      h,
      'alice-token',
      { K: 'sk-attacker' },
      'model',
      'key',
      'set',
      'rotating',
      '--from-env',
      'K',
    );
    assert.notEqual(byCli.code, 0);
    assert.equal(await call(), `Bearer ${KEY2}`, 'the key in force did not change');
  });

  it('rejects bad input without echoing the key, and unknown models', async () => {
    const evil = `${KEY1}\nX-Injected: yes`;
    const bad = await api(h, 'admin-token', 'PUT', '/api/v1/model-keys/rotating', { key: evil });
    assert.equal(bad.status, 400);
    answers.push(bad.text);
    const extra = await api(h, 'admin-token', 'PUT', '/api/v1/model-keys/rotating', { key: KEY1, leak: KEY1 });
    assert.equal(extra.status, 400);
    answers.push(extra.text);
    const wrongType = await api(h, 'admin-token', 'PUT', '/api/v1/model-keys/rotating', { key: [KEY1] });
    assert.equal(wrongType.status, 400);
    answers.push(wrongType.text);
    const unknown = await api(h, 'admin-token', 'PUT', '/api/v1/model-keys/no-such-model', { key: KEY1 });
    assert.equal(unknown.status, 404);
    answers.push(unknown.text);
    assert.equal(await call(), `Bearer ${KEY2}`);
  });

  it('never shows a key: not in audit, logs, API answers, CLI output, nor the store in plaintext', async () => {
    const audited = h.audit.filter((e) => e.type.startsWith('model-key.'));
    assert.deepEqual(
      audited.map((e) => [e.type, e.actor, e.data.model]),
      [
        ['model-key.set', 'admin', 'rotating'],
        ['model-key.set', 'admin', 'rotating'],
        ['model-key.set', 'admin', 'env-wins'],
      ],
    );
    const dbFile = readFileSync(join(h.home, 'gatehouse.db')).toString('latin1');
    const rows = JSON.stringify(await h.db.all('SELECT * FROM gateway_model_keys'));
    const haystacks = {
      audit: JSON.stringify(h.audit),
      logs: logLines.join('\n'),
      answers: answers.join('\n'),
      rows,
      dbFile,
    };
    for (const [where, text] of Object.entries(haystacks))
      for (const k of [KEY1, KEY2]) {
        assert.ok(!text.includes(k), `${where} contains a provider key`);
        assert.ok(!text.includes(k.slice(-12)), `${where} contains the tail of a provider key`);
      }
    assert.equal(statSync(join(h.home, MODEL_KEYS_SEAL_FILE)).mode & 0o777, 0o600);
  });

  it('a sealed key copied onto another model, or a seal key swapped, fails closed with a clear error', async () => {
    await h.db.run(
      'UPDATE gateway_model_keys SET sealed = (SELECT sealed FROM gateway_model_keys WHERE model = ?) WHERE model = ?',
      ['rotating', 'env-wins'],
    );
    await h.gateway.modelKeys.reload();
    // env-wins still answers with its env var (precedence), so check resolve without the env var on a fresh reader.
    const other = new ModelKeys({
      db: h.db,
      coord: new MemoryCoordination(),
      clock: systemClock,
      home: h.home,
      env: {},
      audit: { append: async () => ({ index: 0 }) },
      logger: capture,
      catalog: h.catalog,
      reconcileMs: 0,
    });
    await other.start();
    assert.equal(other.resolve(modelDoc('rotating', 'openai', rec.url)), KEY2);
    assert.throws(() => other.resolve(modelDoc('env-wins', 'openai', rec.url)), /does not authenticate/);
    await other.stop();
    const swapped = new ModelKeys({
      db: h.db,
      coord: new MemoryCoordination(),
      clock: systemClock,
      home: h.home,
      env: { GATEHOUSE_MODEL_KEYS_SEAL_KEY: Buffer.alloc(32, 7).toString('base64') },
      audit: { append: async () => ({ index: 0 }) },
      logger: capture,
      catalog: h.catalog,
      reconcileMs: 0,
    });
    await swapped.start();
    assert.throws(() => swapped.resolve(modelDoc('rotating', 'openai', rec.url)), /replicas must share/);
    await swapped.stop();
    assert.ok(!logLines.join('\n').includes(KEY2));
  });

  it('another replica sharing the store and coordination picks up a rotation without a restart', async () => {
    const coord = new MemoryCoordination();
    const mk = () =>
      new ModelKeys({
        db: h.db,
        coord,
        clock: systemClock,
        home: h.home,
        env: {},
        audit: { append: async () => ({ index: 0 }) },
        logger: capture,
        catalog: h.catalog,
        reconcileMs: 0,
      });
    const a = mk();
    const b = mk();
    await a.start();
    await b.start();
    const doc = modelDoc('rotating', 'openai', rec.url);
    assert.equal(b.resolve(doc), KEY2);
    await a.set('rotating', KEY1, 'admin');
    for (let i = 0; i < 100 && b.resolve(doc) !== KEY1; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(b.resolve(doc), KEY1);
    await a.remove('rotating', 'admin');
    for (let i = 0; i < 100; i++) {
      try {
        b.resolve(doc);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.throws(() => b.resolve(doc), /No provider key for model 'rotating'/);
    await a.stop();
    await b.stop();
  });

  it('removes a key via the CLI; the server then refuses the model', async () => {
    await h.gateway.modelKeys.set('rotating', KEY2, 'admin');
    const r = await cli(h, 'admin-token', {}, 'model', 'key', 'rm', 'rotating');
    assert.equal(r.code, 0, r.err);
    await assert.rejects(call(), /No provider key/);
    const again = await cli(h, 'admin-token', {}, 'model', 'key', 'rm', 'rotating');
    assert.notEqual(again.code, 0);
  });
});
