// wasm tier: QuickJS compiled to WebAssembly (quickjs-emscripten), one fresh runtime+context per run, executed in a
// pool of worker threads (piscina) so a CPU-bound guest never freezes the server's event loop.
//
// Each worker loads the QuickJS module once at start (the pool keeps `minWorkers` pre-warmed) and runs one guest at
// a time (wasm-worker.ts / wasm-guest.ts). Capability calls arrive over the run's MessagePort as strings and go
// through hostCall (parsed once into plain data, then checked) on this thread. On the deadline, a kill-switch abort,
// a memory ceiling or a QuickJS left in a bad state, the worker is terminated and the pool starts a fresh one.
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { hostCall } from './host-call.js';
import {
  AppRunError,
  killedError,
  type Bridge,
  type RunLimits,
  type SandboxTier,
  type TierAvailability,
  type TierResult,
} from './tier.js';
import type { GuestOutcome } from './wasm-guest.js';
import type { HostReply, WorkerMessage, WorkerTask } from './wasm-worker.js';

export interface WasmTierOptions {
  /** Workers kept started and warm (QuickJS module loaded), default 2. */
  minWorkers?: number;
  /** Most guests running at once; later runs queue (their time limit keeps counting), default 8. */
  maxWorkers?: number;
  /** Workers above minWorkers stop after this long idle, default 30 s. */
  idleTimeoutMs?: number;
}

// Compiled, the worker is wasm-worker.js beside this file; under tsx (tests, benches) a small .mjs entry registers
// tsx inside the worker first (Node 20 does not carry tsx's hooks into worker threads).
const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './wasm-worker-tsx.mjs' : './wasm-worker.js',
  import.meta.url,
).href;

export class WasmTier implements SandboxTier {
  readonly name = 'wasm' as const;
  private pool: Piscina | undefined;
  private warming: Promise<void> | undefined;
  private readonly minWorkers: number;
  private readonly maxWorkers: number;
  private readonly idleTimeoutMs: number;

  constructor(opts: WasmTierOptions = {}) {
    this.minWorkers = opts.minWorkers ?? 2;
    this.maxWorkers = Math.max(opts.maxWorkers ?? 8, this.minWorkers, 1);
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
  }

  /** Started on first use, not at construction: most processes that build the feature never run a wasm app. */
  private getPool(): Piscina {
    if (!this.pool) {
      this.pool = new Piscina({
        filename: WORKER_URL,
        minThreads: this.minWorkers,
        maxThreads: this.maxWorkers,
        idleTimeout: this.idleTimeoutMs,
        concurrentTasksPerWorker: 1,
        atomics: 'disabled',
        // The guest's heap lives in WebAssembly memory (gated per run inside the worker, wasm-heap.ts); these cap
        // the worker's own JS heap (strings copied out of the guest, call payloads), so a worker past them dies
        // with ERR_WORKER_OUT_OF_MEMORY (a `memory` failure) instead of growing the server.
        resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
      });
      // A worker that dies is reported through its task's rejection; the pool-level event must not crash the host.
      this.pool.on('error', () => undefined);
    }
    return this.pool;
  }

  /** Waits for the warm workers once (cached), so later calls answer at once; a failed start is retried next time. */
  async available(): Promise<TierAvailability> {
    try {
      await this.warm();
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: `QuickJS WebAssembly worker failed to start: ${(err as Error).message}` };
    }
  }

  /** Starts the pool and resolves when its warm workers have the QuickJS module loaded. */
  warm(): Promise<void> {
    if (!this.warming) {
      const pool = this.getPool();
      this.warming = Promise.all(
        Array.from({ length: Math.max(1, this.minWorkers) }, () => pool.run({ ping: true })),
      ).then(() => undefined);
      this.warming.catch(() => {
        this.warming = undefined;
      });
    }
    return this.warming;
  }

  /** Stops every worker (for tests, benches and shutdown; idle workers never keep the process alive). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    this.warming = undefined;
    await pool?.destroy();
  }

  async run(
    code: string,
    input: unknown,
    bridge: Bridge,
    limits: RunLimits,
    signal?: AbortSignal,
  ): Promise<TierResult> {
    if (signal?.aborted) throw killedError(signal);
    const pool = this.getPool();
    const started = performance.now();
    const { port1, port2 } = new MessageChannel();
    const terminate = new AbortController();
    const task: WorkerTask = {
      code,
      inputJson: JSON.stringify(input ?? null),
      timeoutMs: limits.timeoutMs,
      memoryMb: limits.memoryMb,
      maxOutputBytes: limits.maxOutputBytes,
      port: port2,
    };
    return await new Promise<TierResult>((resolve, reject) => {
      let finished = false;
      const finish = (settle: () => void) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onKill);
        port1.close();
        settle();
      };
      // Terminating the worker is the only way to stop a guest that is spinning inside the interpreter.
      const kill = (err: AppRunError) =>
        finish(() => {
          terminate.abort(err);
          reject(err);
        });
      const timer = setTimeout(
        () => kill(new AppRunError('timeout', `app exceeded its ${limits.timeoutMs} ms time limit and was stopped`)),
        limits.timeoutMs,
      );
      const onKill = () => kill(killedError(signal as AbortSignal));
      signal?.addEventListener('abort', onKill, { once: true });
      port1.on('message', (m: WorkerMessage) => {
        if (finished) return;
        if (m.t === 'call') {
          void hostCall(bridge, m.method, m.args).then((payload) => {
            if (!finished) port1.postMessage({ t: 'reply', id: m.id, payload } satisfies HostReply);
          });
          return;
        }
        if (m.recycle) terminate.abort(new Error('worker recycled after this run'));
        finish(() => settleOutcome(m.outcome, performance.now() - started, limits, resolve, reject));
      });
      pool.run(task, { transferList: [port2], signal: terminate.signal }).catch((err: unknown) => {
        const oom = (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
        finish(() =>
          reject(
            oom
              ? new AppRunError('memory', `app exceeded its ${limits.memoryMb} MB memory limit and was stopped`)
              : new AppRunError('crashed', 'the wasm sandbox worker stopped unexpectedly; the run was abandoned'),
          ),
        );
      });
    });
  }
}

function settleOutcome(
  o: GuestOutcome,
  wallMs: number,
  limits: RunLimits,
  resolve: (r: TierResult) => void,
  reject: (e: unknown) => void,
): void {
  if (o.kind !== 'ok') return reject(new AppRunError(o.kind, o.message));
  let output: unknown;
  try {
    output = JSON.parse(o.text) as unknown;
  } catch {
    return reject(new AppRunError('bad_output', 'app output is not valid JSON'));
  }
  if (o.text.length > limits.maxOutputBytes)
    return reject(
      new AppRunError(
        'output_too_large',
        `app output is ${o.text.length} bytes; the limit is ${limits.maxOutputBytes}`,
      ),
    );
  resolve({
    output,
    usage: { cpuMs: o.cpuMs, peakMemoryBytes: o.peakMemoryBytes, wallMs: Math.round(wallMs * 100) / 100 },
  });
}
