// The wasm tier's QuickJS module on a WebAssembly.Memory we own, whose growth is gated per run: the hard memory limit.
//
// Why: this QuickJS build cannot account its own heap (emscripten's malloc_usable_size is 0, so setMemoryLimit only
// counts an 8-byte overhead per allocation) and the interrupt handler runs only every ~10 000 guest operations, so a
// loop of `new ArrayBuffer(1 << 20)` grew the heap to 2 GB before anything looked. Every allocation QuickJS makes
// (objects, strings, ArrayBuffers, typed arrays, bytecode) comes out of this one linear memory, and emscripten grows
// it through `memory.grow()` from JavaScript, so refusing that call is checked on every allocation path: malloc gets
// NULL, QuickJS raises "out of memory" in the guest, and the gate remembers the run went over its limit even when the
// guest catches that error.
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC, type QuickJSWASMModule } from 'quickjs-emscripten';

const PAGE = 64 * 1024;
/** emscripten's own default: 16 MB to start, 2 GB at most (wasm32 with this build's pointer arithmetic). */
const INITIAL_PAGES = 256;
const MAX_BYTES = 2 * 1024 * 1024 * 1024;

/** The part of WebAssembly.Memory used here (this project's TypeScript libs carry no WebAssembly types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
const { Memory } = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => WasmMemory };
  }
).WebAssembly;

export class HeapGate {
  private ceiling = MAX_BYTES;
  private over = false;
  /** Heap size right after the module loaded: the floor of every run's ceiling. */
  readonly baseBytes: number;

  constructor(readonly memory: WasmMemory) {
    this.baseBytes = memory.buffer.byteLength;
    const grow = memory.grow.bind(memory);
    // emscripten calls `wasmMemory.grow(pages)` and treats a throw as a failed sbrk (malloc returns NULL).
    Object.defineProperty(memory, 'grow', {
      value: (pages: number): number => {
        if (memory.buffer.byteLength + pages * PAGE > this.ceiling) {
          this.over = true;
          throw new RangeError('guest memory limit reached');
        }
        return grow(pages);
      },
    });
  }

  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** True once a growth past the current run's ceiling was refused. */
  get exceeded(): boolean {
    return this.over;
  }

  /** The most the heap may hold in total for a run with this limit: memoryMb, but never below the initial heap. */
  ceilingFor(memoryMb: number): number {
    return Math.min(MAX_BYTES, Math.max(this.baseBytes, memoryMb * 1024 * 1024));
  }

  /** Arms the gate for one run. */
  arm(memoryMb: number): void {
    this.ceiling = this.ceilingFor(memoryMb);
    this.over = false;
  }

  /** Between runs nothing grows the heap except loading; leave the ceiling at the module's maximum. */
  disarm(): void {
    this.ceiling = MAX_BYTES;
  }
}

export interface GatedModule {
  mod: QuickJSWASMModule;
  gate: HeapGate;
}

/**
 * The variant's emscripten loader and FFI, imported once and one after the other before any module loads: concurrent
 * first dynamic imports are the suspected trigger of a V8 crash in module evaluation seen once in a full test run
 * (nodejs/node#53238; not proven). Later imports hit the module cache.
 */
let variantReady: Promise<unknown> | undefined;
const warmVariant = () =>
  (variantReady ??= (async () => {
    await RELEASE_SYNC.importModuleLoader();
    await RELEASE_SYNC.importFFI();
  })());

/** Loads a fresh QuickJS module (its own emscripten instance and memory); the previous one is freed by GC. */
export async function loadGatedModule(): Promise<GatedModule> {
  await warmVariant();
  const memory = new Memory({ initial: INITIAL_PAGES, maximum: MAX_BYTES / PAGE });
  const gate = new HeapGate(memory);
  const mod = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory: memory as never }));
  if (mod.getWasmMemory() !== memory) throw new Error('QuickJS did not use the gated WebAssembly memory');
  return { mod, gate };
}
