// One run as the analysis gate sees it: outcome, refusals, latency, tokens, cost, DLP detections in the output by
// entity type, denied egress. Built from a finished run or from the error a failed run threw (never holds values).
import { GatehouseError, PolicyDeniedError } from '../core/errors.js';
import type { RunUsage } from '../sandbox/app-runner.js';

export interface RunSample {
  error: boolean;
  refused: boolean;
  egressDenied: boolean;
  latencyMs: number;
  tokens: number;
  costUsd: number;
  /** DLP findings in the run's output, per entity type. */
  dlp: Record<string, number>;
}

export type ScanTypes = (text: string) => string[];

export function countTypes(scan: ScanTypes, output: unknown): Record<string, number> {
  if (output === undefined) return {};
  const out: Record<string, number> = {};
  for (const t of scan(typeof output === 'string' ? output : JSON.stringify(output))) out[t] = (out[t] ?? 0) + 1;
  return out;
}

export function sampleOf(
  outcome: string,
  usage: Partial<RunUsage> | undefined,
  output: unknown,
  scan: ScanTypes,
): RunSample {
  return {
    error: outcome !== 'ok',
    refused: (usage?.denied ?? 0) > 0,
    egressDenied: (usage?.deniedEgress ?? 0) > 0,
    latencyMs: usage?.wallMs ?? 0,
    tokens: usage?.tokens ?? 0,
    costUsd: usage?.costUsd ?? 0,
    dlp: countTypes(scan, output),
  };
}

/** The sample of a run that threw: its usage rides on the error (AppRunner attaches it). */
export function sampleOfError(err: unknown): RunSample {
  const usage = err instanceof GatehouseError ? (err.extra.usage as Partial<RunUsage> | undefined) : undefined;
  const s = sampleOf(err instanceof PolicyDeniedError ? 'denied' : 'error', usage, undefined, () => []);
  if (err instanceof PolicyDeniedError) s.refused = true;
  return s;
}
