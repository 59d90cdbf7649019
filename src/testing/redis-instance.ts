// A private Redis server for fault tests: its own loopback port, no persistence, stopped and started at will
// without touching the shared server. Uses Debian's redis-server (the package that runs the shared one).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort } from './free-port.js';
import type { Requirement } from './requires.js';

const BIN = '/usr/bin/redis-server';

export const REDIS_SERVER_BINARY: Requirement = {
  name: 'redis-server (a private Redis for fault tests)',
  install: 'apt-get install redis-server (the package that runs the shared test server)',
  probe: async () => (existsSync(BIN) ? undefined : `no ${BIN}`),
};

export interface RedisInstance {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/**
 * @param opts.persistDir keep the data across stop/start (an append-only file fsync'd on every write, in this folder),
 *   as a production Redis would through a restart; without it a stop loses everything.
 */
export async function startRedisInstance(opts: { persistDir?: string } = {}): Promise<RedisInstance> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const persist = opts.persistDir
    ? ['--dir', opts.persistDir, '--appendonly', 'yes', '--appendfsync', 'always']
    : ['--appendonly', 'no'];
  const start = async () => {
    child = spawn(BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persist], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100 && !(await accepting(port)); i++) await new Promise((r) => setTimeout(r, 50));
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, stop, start, close: stop };
}
