// Starts a script in its own Node process (tests' and benches' replicas, fake providers) and waits for its first
// IPC message, which says it is ready. TypeScript sources run through tsx; compiled ones (dist/) as they are.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ReadyChild<T> {
  child: ChildProcess;
  ready: T;
}

export function forkReady<T>(file: URL | string, args: string[] = []): Promise<ReadyChild<T>> {
  const path = typeof file === 'string' ? file : fileURLToPath(file);
  const child = fork(path, args, {
    execArgv: path.endsWith('.ts') ? ['--import', 'tsx'] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (ready: T) => resolve({ child, ready }));
    child.once('exit', (code, signal) => reject(new Error(`${path} exited (${signal ?? code}) before it was ready`)));
  });
}

/** The sibling of the calling module named `name`, in the same flavour (.ts under tsx, .js from dist/). */
export function sibling(importMetaUrl: string, name: string): URL {
  return new URL(`./${name}.${importMetaUrl.endsWith('.ts') ? 'ts' : 'js'}`, importMetaUrl);
}
