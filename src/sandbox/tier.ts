// The one contract every isolation tier (wasm, container, microvm) implements, plus the limits and usage they share.
import { GatehouseError } from '../core/errors.js';

export type TierName = 'wasm' | 'container' | 'microvm';
export type CapabilityMethod = 'llm.chat' | 'data.query' | 'data.sql' | 'http.fetch' | 'log';
export const CAPABILITY_METHODS: readonly CapabilityMethod[] = [
  'llm.chat',
  'data.query',
  'data.sql',
  'http.fetch',
  'log',
];

/** The host side of ctx: the tier hands it plain JSON (parsed once from the guest's string) and gets plain JSON back. */
export interface Bridge {
  call(method: CapabilityMethod, args: unknown): Promise<unknown>;
}

export interface RunLimits {
  /** Wall-clock budget for the whole run, including time waiting on capability calls. */
  timeoutMs: number;
  /** Guest heap/cgroup memory ceiling. */
  memoryMb: number;
  /** Largest serialized output (and, in the container tier, total protocol traffic from the guest). */
  maxOutputBytes: number;
}

export const DEFAULT_LIMITS: RunLimits = { timeoutMs: 10_000, memoryMb: 128, maxOutputBytes: 1_000_000 };

export interface TierUsage {
  /** CPU time the guest used (wasm: time inside the interpreter; container: cgroup cpuacct or rusage). */
  cpuMs: number;
  /** Peak memory seen (wasm: QuickJS heap in use at the end of the run; container: cgroup peak). */
  peakMemoryBytes: number;
  wallMs: number;
}

export interface TierResult {
  output: unknown;
  usage: TierUsage;
}

export interface TierAvailability {
  ok: boolean;
  reason?: string;
}

export interface SandboxTier {
  readonly name: TierName;
  available(): Promise<TierAvailability>;
  /** Runs bundled app code (a script defining `__gh_app.default`) and returns main's JSON result. */
  /** `signal` aborts the run at once (a kill switch landed on its scope): it fails with AppRunError('killed'). */
  run(code: string, input: unknown, bridge: Bridge, limits: RunLimits, signal?: AbortSignal): Promise<TierResult>;
}

export type AppFailure = 'error' | 'timeout' | 'memory' | 'output_too_large' | 'crashed' | 'bad_output' | 'killed';

/** The app failed inside the sandbox: its own error, a limit, or a crash. The host is fine; the caller sees why. */
export class AppRunError extends GatehouseError {
  readonly failure: AppFailure;
  constructor(failure: AppFailure, message: string, extra: Record<string, unknown> = {}) {
    const code =
      failure === 'timeout'
        ? 'app_timeout'
        : failure === 'error'
          ? 'app_error'
          : failure === 'killed'
            ? 'app_killed'
            : 'app_limit';
    super(code, failure === 'killed' ? 403 : 422, message, [], { failure, ...extra });
    this.failure = failure;
  }
}

/** Used by the bridge so a denied or failed capability call reaches the guest as an Error with this message. */
export interface GuestError {
  name: string;
  message: string;
  code?: string;
}

/** The error a run fails with when a kill switch cuts it. */
export function killedError(signal: AbortSignal): AppRunError {
  const why = signal.reason instanceof Error ? signal.reason.message : 'a kill switch was set on its scope';
  return new AppRunError('killed', `app run stopped: ${why}`);
}

export function toGuestError(err: unknown): GuestError {
  if (err instanceof GatehouseError) return { name: err.name, message: err.message, code: err.code };
  return { name: 'Error', message: 'capability call failed on the host; the server log has the details' };
}
