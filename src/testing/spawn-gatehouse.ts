// Test helper: a real `gatehouse serve` in a child process (the same CLI entry bin/gatehouse runs, from src/ under
// tsx or from dist/), so a test can SIGKILL it mid-work and start another on the same home and database.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../core/repo-root.js';

export interface SpawnedGatehouse {
  url: string;
  child: ChildProcess;
  /** SIGKILL: no shutdown hook runs (what a crash or the OOM killer does). */
  kill(): Promise<void>;
  /** SIGTERM and wait (the graceful stop). */
  stop(): Promise<void>;
}

export async function spawnGatehouse(env: Record<string, string>, timeoutMs = 90_000): Promise<SpawnedGatehouse> {
  const ts = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(`../cli/main.${ts ? 'ts' : 'js'}`, import.meta.url));
  const child = spawn(process.execPath, [...(ts ? ['--import', 'tsx'] : []), entry, 'serve', '--port', '0'], {
    cwd: repoRoot(),
    env: { PATH: process.env.PATH ?? '', GATEHOUSE_HOST: '127.0.0.1', GATEHOUSE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    // A child that never said it listens is killed, or it would keep the test process (and the run) alive.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gatehouse serve did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /Gatehouse listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gatehouse serve exited (${code}) before listening:\n${out}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, child, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
