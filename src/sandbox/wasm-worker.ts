// wasm tier worker thread (a piscina task module): runs one QuickJS guest at a time off the server's event loop.
//
// The QuickJS WebAssembly module loads when the worker starts (piscina imports this file then), so a run only pays
// for a fresh runtime+context. Capability calls travel to the host over the run's MessagePort as strings; the host
// bridge answers on the same port. The run's outcome goes back on the port too; when the worker must not be reused
// (limit hit, QuickJS left in a bad state, heap grown large) the task never settles and the host terminates it.
import type { MessagePort } from 'node:worker_threads';
import { newQuickJSWASMModule, RELEASE_SYNC, type QuickJSWASMModule } from 'quickjs-emscripten';
import { runGuest, type GuestOutcome } from './wasm-guest.js';

export interface WorkerTask {
  code: string;
  inputJson: string;
  timeoutMs: number;
  memoryMb: number;
  maxOutputBytes: number;
  port: MessagePort;
}

/** Worker → host on the run's port. */
export type WorkerMessage =
  { t: 'call'; id: number; method: string; args: string } | { t: 'done'; outcome: GuestOutcome; recycle: boolean };
/** Host → worker on the run's port. */
export interface HostReply {
  t: 'reply';
  id: number;
  payload: string;
}

/** A module whose heap grew past this is not reused, so one bomb cannot starve later runs on this worker. */
const HEAP_RECYCLE_BYTES = 256 * 1024 * 1024;

const mod: QuickJSWASMModule = await newQuickJSWASMModule(RELEASE_SYNC);

export default async function runTask(task: WorkerTask | { ping: true }): Promise<string> {
  if ('ping' in task) return 'ready';
  const { port } = task;
  const pending = new Map<number, (payload: string) => void>();
  let nextId = 0;
  port.on('message', (m: HostReply) => {
    const cb = pending.get(m.id);
    pending.delete(m.id);
    cb?.(m.payload);
  });
  const callHost = (method: string, args: string, reply: (payload: string) => void) => {
    const id = ++nextId;
    pending.set(id, reply);
    port.postMessage({ t: 'call', id, method, args } satisfies WorkerMessage);
  };
  const { outcome, clean } = await runGuest(mod, task, callHost);
  const recycle =
    !clean ||
    outcome.kind === 'memory' ||
    outcome.kind === 'timeout' ||
    mod.getWasmMemory().buffer.byteLength > HEAP_RECYCLE_BYTES;
  port.postMessage({ t: 'done', outcome, recycle } satisfies WorkerMessage);
  port.close();
  // Hold the worker: the host terminates it and the pool starts a fresh one.
  if (recycle) await new Promise<never>(() => {});
  return 'done';
}
