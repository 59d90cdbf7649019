// Config: parsed once from gatehouse.yaml + env; a bad value stops start-up naming the field.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../feature-registry.js';
import { tempDir } from '../testing/databases.js';
import { InvalidInputError } from '../core/errors.js';

describe('loadConfig', () => {
  it('fills defaults for an empty home', () => {
    const c = loadConfig({ env: { GATEHOUSE_HOME: tempDir() } });
    assert.equal(c.server.host, '127.0.0.1');
    assert.equal(c.server.port, 8080);
    assert.equal(c.databaseUrl, undefined);
  });
  it('layers env vars over the file and CLI overrides over both', () => {
    const home = tempDir();
    writeFileSync(join(home, 'gatehouse.yaml'), 'server:\n  port: 9000\nlogLevel: warn\n');
    const c = loadConfig({ env: { GATEHOUSE_HOME: home, GATEHOUSE_PORT: '9100' }, overrides: { host: '0.0.0.0' } });
    assert.deepEqual([c.server.port, c.server.host, c.logLevel], [9100, '0.0.0.0', 'warn']);
  });
  it('names the field and what is allowed for a bad value', () => {
    const home = tempDir();
    writeFileSync(join(home, 'gatehouse.yaml'), 'server:\n  port: 99999\n');
    assert.throws(
      () => loadConfig({ env: { GATEHOUSE_HOME: home } }),
      (e: unknown) => e instanceof InvalidInputError && /server\.port/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ env: { GATEHOUSE_HOME: tempDir(), GATEHOUSE_DATABASE_URL: 'mysql://x' } }),
      /databaseUrl: must be a postgres:\/\/ URL/,
    );
  });
  it('rejects unknown keys and malformed YAML', () => {
    const home = tempDir();
    writeFileSync(join(home, 'gatehouse.yaml'), 'sever: {}\n');
    assert.throws(() => loadConfig({ env: { GATEHOUSE_HOME: home } }), /sever/);
    writeFileSync(join(home, 'gatehouse.yaml'), 'server: [\n');
    assert.throws(() => loadConfig({ env: { GATEHOUSE_HOME: home } }), /Cannot read/);
  });
});
