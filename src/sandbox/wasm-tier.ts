// wasm tier: QuickJS compiled to WebAssembly (quickjs-emscripten), one fresh runtime+context per run.
//
// Pitfalls handled here (measured on this build): the memory limit is not reliably enforced, so the interrupt
// handler also watches the module's WebAssembly heap and the module is replaced after a run that grew it past
// the ceiling; the max stack is 256 KB so deep recursion fails inside the guest; the deadline is re-armed
// before every eval, callback and job pump; only strings cross the boundary (see guest-script.ts).
import { newQuickJSWASMModule, RELEASE_SYNC, type QuickJSContext, type QuickJSHandle, type QuickJSWASMModule } from 'quickjs-emscripten';
import { guestScript, MAX_GUEST_MESSAGE } from './guest-script.js';
import { hostCall } from './host-call.js';
import { AppRunError, killedError, type Bridge, type RunLimits, type SandboxTier, type TierAvailability, type TierResult } from './tier.js';

const MAX_STACK = 256 * 1024;
/** A module whose heap grew past this is thrown away after the run, so one bomb cannot starve later runs. */
const HEAP_RECYCLE_BYTES = 256 * 1024 * 1024;

export class WasmTier implements SandboxTier {
  readonly name = 'wasm' as const;
  private module: Promise<QuickJSWASMModule> | undefined;

  private load(): Promise<QuickJSWASMModule> {
    this.module ??= newQuickJSWASMModule(RELEASE_SYNC);
    return this.module;
  }

  async available(): Promise<TierAvailability> {
    try {
      await this.load();
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: `QuickJS WebAssembly module failed to load: ${(err as Error).message}` };
    }
  }

  /** Loads the WebAssembly module ahead of the first run (cold start then measures runtime+context only). */
  async warm(): Promise<void> {
    await this.load();
  }

  async run(code: string, input: unknown, bridge: Bridge, limits: RunLimits, signal?: AbortSignal): Promise<TierResult> {
    const mod = await this.load();
    const started = performance.now();
    const wallDeadline = Date.now() + limits.timeoutMs;
    const heapCeiling = Math.max(limits.memoryMb * 1024 * 1024 * 2, 64 * 1024 * 1024);
    const startHeap = mod.getWasmMemory().buffer.byteLength;
    let interrupted: 'timeout' | 'memory' | 'killed' | undefined = signal?.aborted ? 'killed' : undefined;
    let cpuMs = 0;
    const rt = mod.newRuntime();
    rt.setMemoryLimit(limits.memoryMb * 1024 * 1024);
    rt.setMaxStackSize(MAX_STACK);
    rt.setInterruptHandler(() => {
      if (interrupted) return true;
      if (Date.now() > wallDeadline) interrupted = 'timeout';
      else if (mod.getWasmMemory().buffer.byteLength - startHeap > heapCeiling) interrupted = 'memory';
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
      const reply = (payload: string) => {
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
      };
      void hostCall(bridge, method, args).then(reply);
      return ctx.undefined;
    });
    ctx.setProp(ctx.global, '__gh_call_host', hostFn);
    hostFn.dispose();

    const doneFn = ctx.newFunction('done', (okH, textH) => {
      if (result) return;
      result = { ok: ctx.typeof(okH) === 'boolean' && ctx.dump(okH) === true, text: str(textH) ?? '' };
      wake?.();
    });

    const fail = (kind: 'error', message: string): never => {
      throw new AppRunError(kind, `app failed: ${message.slice(0, MAX_GUEST_MESSAGE)}`);
    };
    const checkInterrupt = () => {
      if (interrupted === 'killed') throw killedError(signal as AbortSignal);
      if (interrupted === 'timeout') throw new AppRunError('timeout', `app exceeded its ${limits.timeoutMs} ms time limit and was stopped`);
      if (interrupted === 'memory') throw new AppRunError('memory', `app exceeded its ${limits.memoryMb} MB memory limit and was stopped`);
    };
    const errorText = (h: QuickJSHandle): string => {
      const d = ctx.dump(h) as { message?: unknown } | unknown;
      h.dispose();
      const m = typeof d === 'object' && d !== null && 'message' in d ? String((d as { message?: unknown }).message) : String(d);
      return /out of memory/i.test(m) ? 'memory' : m;
    };

    const deadlineTimer = setTimeout(() => {
      interrupted = 'timeout';
      wake?.();
    }, limits.timeoutMs);
    // A kill lands between guest slices (the guest never blocks the event loop for longer than one pump).
    const onKill = () => {
      interrupted ??= 'killed';
      wake?.();
    };
    signal?.addEventListener('abort', onKill, { once: true });
    try {
      const ev = guard(() => ctx.evalCode(guestScript(code), 'app.js'));
      checkInterrupt();
      if (ev.error) {
        const m = errorText(ev.error);
        if (m === 'memory') throw new AppRunError('memory', `app exceeded its ${limits.memoryMb} MB memory limit and was stopped`);
        fail('error', m);
      } else ev.value.dispose();
      const start = ctx.getProp(ctx.global, '__gh_start');
      const inputH = ctx.newString(JSON.stringify(input ?? null));
      const st = guard(() => ctx.callFunction(start, ctx.undefined, inputH, doneFn));
      start.dispose();
      inputH.dispose();
      checkInterrupt();
      if (st.error) fail('error', errorText(st.error));
      else st.value.dispose();

      for (;;) {
        const jobs = guard(() => rt.executePendingJobs(1000));
        checkInterrupt();
        if (jobs.error) {
          const m = errorText(jobs.error);
          if (m === 'memory') throw new AppRunError('memory', `app exceeded its ${limits.memoryMb} MB memory limit and was stopped`);
          fail('error', m);
        }
        if (result) break;
        if (rt.hasPendingJob()) continue;
        if (pendingCalls === 0) fail('error', "main's promise never settles (nothing left to run)");
        // Sleep until a capability call answers or the run-level deadline timer fires (one timer per run, not per wait).
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        checkInterrupt();
      }
      const done = result as { ok: boolean; text: string };
      if (!done.ok) fail('error', done.text);
      if (done.text.length > limits.maxOutputBytes) throw new AppRunError('output_too_large', `app output is ${done.text.length} bytes; the limit is ${limits.maxOutputBytes}`);
      let peak = 0;
      try {
        const mu = rt.computeMemoryUsage();
        const usage = ctx.dump(mu) as { memory_used_size?: number; malloc_size?: number };
        mu.dispose();
        peak = Number(usage.malloc_size ?? usage.memory_used_size ?? 0);
      } catch {
        peak = 0;
      }
      return { output: JSON.parse(done.text) as unknown, usage: { cpuMs: round(cpuMs), peakMemoryBytes: peak, wallMs: round(performance.now() - started) } };
    } finally {
      clearTimeout(deadlineTimer);
      signal?.removeEventListener('abort', onKill);
      disposed = true;
      for (const cb of callbacks) cb.dispose();
      doneFn.dispose();
      let clean = disposeQuietly(ctx);
      try {
        rt.dispose();
      } catch {
        clean = false; // a run that never settled can leave objects behind: QuickJS aborts, the module is unusable
      }
      if (!clean || mod.getWasmMemory().buffer.byteLength > HEAP_RECYCLE_BYTES) this.module = undefined;
    }
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
