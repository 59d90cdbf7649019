// One QuickJS guest run (fresh runtime+context on an already loaded module), used inside the wasm tier's worker.
//
// Pitfalls handled here (measured on this build): QuickJS's own memory limit does not count allocation sizes, so the
// limit is the module's gated WebAssembly heap (wasm-heap.ts), armed per run and checked by the interrupt handler and
// after every step (a guest that catches its "out of memory" still fails with `memory`); the max stack is 256 KB so deep recursion fails inside the
// guest; the deadline is re-armed before every eval, callback and job pump; only strings cross the boundary (see
// guest-script.ts). Results come back as plain data (errors cannot cross a thread boundary as class instances).
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten';
import { guestScript, MAX_GUEST_MESSAGE } from './guest-script.js';
import type { GatedModule } from './wasm-heap.js';

const MAX_STACK = 256 * 1024;

export type GuestOutcome =
  | { kind: 'ok'; text: string; cpuMs: number; peakMemoryBytes: number }
  | { kind: 'error' | 'timeout' | 'memory' | 'output_too_large'; message: string; cpuMs: number };

export interface GuestLimits {
  timeoutMs: number;
  memoryMb: number;
  maxOutputBytes: number;
}

type Stop = { kind: 'error' | 'timeout' | 'memory' | 'output_too_large'; message: string };
const stop = (kind: Stop['kind'], message: string): Stop => ({ kind, message });
const isStop = (e: unknown): e is Stop => typeof e === 'object' && e !== null && 'kind' in e && 'message' in e;

/** `callHost(method, argsJson, reply)` sends a capability call to the host; `reply` gets the JSON envelope. */
export async function runGuest(
  { mod, gate }: GatedModule,
  task: GuestLimits & { code: string; inputJson: string },
  callHost: (method: string, args: string, reply: (payload: string) => void) => void,
): Promise<{ outcome: GuestOutcome; clean: boolean }> {
  const wallDeadline = Date.now() + task.timeoutMs;
  const memoryMsg = `app exceeded its ${task.memoryMb} MB memory limit and was stopped`;
  let interrupted: 'timeout' | 'memory' | undefined;
  let cpuMs = 0;
  gate.arm(task.memoryMb);
  const rt = mod.newRuntime();
  rt.setMemoryLimit(task.memoryMb * 1024 * 1024);
  rt.setMaxStackSize(MAX_STACK);
  rt.setInterruptHandler(() => {
    if (interrupted) return true;
    if (gate.exceeded) interrupted = 'memory';
    else if (Date.now() > wallDeadline) interrupted = 'timeout';
    return interrupted !== undefined;
  });
  const ctx = rt.newContext();
  let disposed = false;
  let pendingCalls = 0;
  const callbacks = new Set<QuickJSHandle>();
  let wake: (() => void) | undefined;
  let result: { ok: boolean; text: string } | undefined;
  const guard = <T>(fn: () => T): T => {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      cpuMs += performance.now() - t0;
    }
  };
  const str = (h: QuickJSHandle): string | undefined => (ctx.typeof(h) === 'string' ? ctx.getString(h) : undefined);

  const hostFn = ctx.newFunction('__gh_call_host', (mH, aH, cbH) => {
    const method = str(mH);
    const args = str(aH);
    if (ctx.typeof(cbH) !== 'function' || method === undefined || args === undefined) return ctx.undefined;
    const cb = cbH.dup();
    callbacks.add(cb);
    pendingCalls++;
    callHost(method, args, (payload) => {
      pendingCalls--;
      if (disposed) return;
      const s = ctx.newString(payload);
      const r = guard(() => ctx.callFunction(cb, ctx.undefined, s));
      s.dispose();
      callbacks.delete(cb);
      cb.dispose();
      if (r.error) r.error.dispose();
      else r.value.dispose();
      wake?.();
    });
    return ctx.undefined;
  });
  ctx.setProp(ctx.global, '__gh_call_host', hostFn);
  hostFn.dispose();

  const doneFn = ctx.newFunction('done', (okH, textH) => {
    if (result) return;
    result = { ok: ctx.typeof(okH) === 'boolean' && ctx.dump(okH) === true, text: str(textH) ?? '' };
    wake?.();
  });

  const checkInterrupt = () => {
    if (interrupted === 'memory' || gate.exceeded) throw stop('memory', memoryMsg);
    if (interrupted === 'timeout')
      throw stop('timeout', `app exceeded its ${task.timeoutMs} ms time limit and was stopped`);
  };
  const guestError = (h: QuickJSHandle): Stop => {
    const d = ctx.dump(h) as { message?: unknown } | unknown;
    h.dispose();
    const m =
      typeof d === 'object' && d !== null && 'message' in d ? String((d as { message?: unknown }).message) : String(d);
    return /out of memory/i.test(m)
      ? stop('memory', memoryMsg)
      : stop('error', `app failed: ${m.slice(0, MAX_GUEST_MESSAGE)}`);
  };

  const deadlineTimer = setTimeout(() => {
    interrupted = 'timeout';
    wake?.();
  }, task.timeoutMs);
  let outcome: GuestOutcome;
  try {
    const ev = guard(() => ctx.evalCode(guestScript(task.code), 'app.js'));
    checkInterrupt();
    if (ev.error) throw guestError(ev.error);
    ev.value.dispose();
    const start = ctx.getProp(ctx.global, '__gh_start');
    const inputH = ctx.newString(task.inputJson);
    const st = guard(() => ctx.callFunction(start, ctx.undefined, inputH, doneFn));
    start.dispose();
    inputH.dispose();
    checkInterrupt();
    if (st.error) throw guestError(st.error);
    st.value.dispose();

    for (;;) {
      const jobs = guard(() => rt.executePendingJobs(1000));
      checkInterrupt();
      if (jobs.error) throw guestError(jobs.error);
      if (result) break;
      if (rt.hasPendingJob()) continue;
      if (pendingCalls === 0) throw stop('error', "app failed: main's promise never settles (nothing left to run)");
      // Sleep until a capability call answers or the run-level deadline timer fires.
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
      checkInterrupt();
    }
    checkInterrupt();
    const done = result as { ok: boolean; text: string };
    if (!done.ok) throw stop('error', `app failed: ${done.text.slice(0, MAX_GUEST_MESSAGE)}`);
    if (done.text.length > task.maxOutputBytes)
      throw stop('output_too_large', `app output is ${done.text.length} bytes; the limit is ${task.maxOutputBytes}`);
    outcome = { kind: 'ok', text: done.text, cpuMs: round(cpuMs), peakMemoryBytes: peakOf(ctx, rt) };
  } catch (err) {
    outcome = isStop(err)
      ? { ...err, cpuMs: round(cpuMs) }
      : {
          kind: 'error',
          message: `app failed: ${String((err as Error)?.message ?? err).slice(0, MAX_GUEST_MESSAGE)}`,
          cpuMs: round(cpuMs),
        };
  } finally {
    clearTimeout(deadlineTimer);
    disposed = true;
    gate.disarm();
  }
  for (const cb of callbacks) cb.dispose();
  doneFn.dispose();
  let clean = disposeQuietly(ctx);
  try {
    rt.dispose();
  } catch {
    clean = false; // a run that never settled can leave objects behind: QuickJS aborts, the module is unusable
  }
  return { outcome, clean };
}

function peakOf(ctx: QuickJSContext, rt: { computeMemoryUsage(): QuickJSHandle }): number {
  try {
    const mu = rt.computeMemoryUsage();
    // memory_used_size is summed from the objects themselves; malloc_size misses allocation sizes in this build.
    const usage = ctx.dump(mu) as { memory_used_size?: number };
    mu.dispose();
    return Number(usage.memory_used_size ?? 0);
  } catch {
    return 0;
  }
}

function disposeQuietly(ctx: QuickJSContext): boolean {
  try {
    ctx.dispose();
    return true;
  } catch {
    return false;
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
