// Re-reads state a broadcast should have delivered (kills, caps) from the store on a timer, so a replica that
// missed or dropped a message (Redis down, a forged message, started late) converges within one interval.
import type { HealthReporter } from '../core/health.js';
import type { Logger } from '../core/logger.js';

export interface ReconcileLoop {
  stop(): void;
}

export function startReconcileLoop(opts: {
  everyMs: number;
  run: () => Promise<void>;
  /** The /healthz component name, e.g. 'kill-reconcile'. */
  component: string;
  /** What a failed pass means, for the log and /healthz, e.g. 'kill switches not reconciled from the store'. */
  failure: string;
  health?: HealthReporter;
  logger?: Logger;
}): ReconcileLoop {
  if (!(opts.everyMs > 0)) return { stop: () => undefined };
  let running = false;
  const timer = setInterval(() => {
    // A slow store must not pile up overlapping passes.
    if (running) return;
    running = true;
    opts
      .run()
      .then(
        () => opts.health?.report(opts.component, undefined),
        (err: unknown) => {
          opts.logger?.warn(opts.failure, { err: String(err) });
          opts.health?.report(opts.component, `${opts.failure}: ${String(err)}`);
        },
      )
      .finally(() => {
        running = false;
      });
  }, opts.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
