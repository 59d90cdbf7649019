// wasm tier worker thread (a piscina task module): runs one QuickJS guest at a time off the server's event loop.
//
// The QuickJS WebAssembly module loads when the worker starts (piscina imports this file then), so a run only pays
// for a fresh runtime+context. Its heap is gated (wasm-heap.ts): a run may bring it to memoryMb in total, and a heap
// an earlier run left larger than that is replaced by a fresh module first. Capability calls travel to the host over
// the run's MessagePort as strings, within a cap on size and on what is in flight (so a guest cannot park its memory
// on the host); the host bridge answers on the same port. The run's outcome goes back on the port too; when the
// worker must not be reused (limit hit, QuickJS left in a bad state) the task never settles and the host terminates it.
import type { MessagePort } from 'node:worker_threads';
import { MAX_ARGS_BYTES } from './host-call.js';
import { runGuest, type GuestOutcome } from './wasm-guest.js';
import { loadGatedModule, type GatedModule } from './wasm-heap.js';

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

/** After a run, a heap grown past this is swapped for a fresh module, so idle workers stay small. */
const HEAP_KEEP_BYTES = 32 * 1024 * 1024;
/** Capability calls of one run waiting on the host, and their argument text: beyond either, a call fails at once. */
export const MAX_CALLS_IN_FLIGHT = 256;
export const MAX_BYTES_IN_FLIGHT = 16 * 1024 * 1024;

let heap: GatedModule = await loadGatedModule();

export default async function runTask(task: WorkerTask | { ping: true }): Promise<string> {
  if ('ping' in task) return 'ready';
  const { port } = task;
  const pending = new Map<number, { reply: (payload: string) => void; bytes: number }>();
  let nextId = 0;
  let bytesInFlight = 0;
  port.on('message', (m: HostReply) => {
    const call = pending.get(m.id);
    if (!call) return;
    pending.delete(m.id);
    bytesInFlight -= call.bytes;
    call.reply(m.payload);
  });
  const callHost = (method: string, args: string, reply: (payload: string) => void) => {
    const refusal =
      args.length > MAX_ARGS_BYTES
        ? `ctx.${method} arguments exceed ${MAX_ARGS_BYTES} bytes`
        : pending.size >= MAX_CALLS_IN_FLIGHT || bytesInFlight + args.length > MAX_BYTES_IN_FLIGHT
          ? `ctx.${method}: too many capability calls in flight (at most ${MAX_CALLS_IN_FLIGHT} calls and ${MAX_BYTES_IN_FLIGHT} bytes of arguments); await some first`
          : undefined;
    if (refusal !== undefined) {
      const payload = JSON.stringify({ ok: false, error: { name: 'RangeError', message: refusal } });
      queueMicrotask(() => reply(payload)); // never re-enter the guest from inside its own call
      return;
    }
    const id = ++nextId;
    pending.set(id, { reply, bytes: args.length });
    bytesInFlight += args.length;
    port.postMessage({ t: 'call', id, method, args } satisfies WorkerMessage);
  };
  if (heap.gate.bytes > heap.gate.ceilingFor(task.memoryMb)) heap = await loadGatedModule();
  const { outcome, clean } = await runGuest(heap, task, callHost);
  const recycle = !clean || outcome.kind === 'memory' || outcome.kind === 'timeout';
  port.postMessage({ t: 'done', outcome, recycle } satisfies WorkerMessage);
  port.close();
  // Hold the worker: the host terminates it and the pool starts a fresh one.
  if (recycle) await new Promise<never>(() => {});
  if (heap.gate.bytes > HEAP_KEEP_BYTES) heap = await loadGatedModule();
  return 'done';
}
