// The live timeline of `gatehouse demo incidents`: each step with its elapsed time, printed as it happens (or kept
// for the --json object), plus the polling and audit-proof helpers both cases share.
import type { ApiClient } from '../cli/cli-context.js';
import { GatehouseError } from '../core/errors.js';
import { fetchVerifiedInclusionProof } from '../audit/audit-client.js';
import type { AlertFiring } from '../telemetry/alert-engine.js';

export interface TimelineEvent {
  case: string;
  atMs: number;
  step: string;
  detail: string;
}

export class Timeline {
  readonly events: TimelineEvent[] = [];
  private readonly start = Date.now();

  constructor(private readonly out: ((line: string) => void) | undefined) {}

  /** Milliseconds since the demo started. */
  elapsed(at = Date.now()): number {
    return at - this.start;
  }

  mark(kase: string, step: string, detail: string, at = Date.now()): void {
    const atMs = this.elapsed(at);
    this.events.push({ case: kase, atMs, step, detail });
    this.out?.(`  +${(atMs / 1000).toFixed(3).padStart(7)}s  ${step.padEnd(18)} ${detail}`);
  }
}

/** Polls until `probe` returns a value; the demo waits on the server's asynchronous alert engine this way. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until)
      throw new GatehouseError(
        'demo_timeout',
        504,
        `The demo waited ${timeoutMs / 1000} s for ${what}; check the server log and \`gatehouse alerts history\`.`,
      );
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The rule's firing for the app once it is complete: its actions ran and its audit entry is written. */
export async function firingOf(api: ApiClient, app: string, rule: string): Promise<AlertFiring | undefined> {
  const h = await api.request<{ firings: AlertFiring[] }>('GET', `/api/v1/alerts/history?app=${app}`);
  return h.firings.find((f) => f.rule === rule && f.auditIndex !== undefined);
}

export interface ProvenEntry {
  index: number;
  treeSize: number;
  type: string;
}

/** Fetches an audit entry's inclusion proof and checks it against the signed checkpoint, as `audit proof` does. */
export async function proveEntry(api: ApiClient, env: Record<string, string | undefined>, index: number) {
  const { proof, event } = await fetchVerifiedInclusionProof(api, env, index);
  return { index, treeSize: proof.treeSize, type: String((event as { type?: string }).type ?? 'entry') };
}

export const fmtMs = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${Math.round(ms)} ms`);
export const usd = (n: number) => `$${n.toFixed(4)}`;
