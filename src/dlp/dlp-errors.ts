// The error a `block` policy raises: it names the entity types found, never the values, and counts them by type
// (a blocked value is still a detection: alert rules count it).
import { PolicyDeniedError } from '../core/errors.js';
import type { EntityType } from './types.js';

export class DlpBlockedError extends PolicyDeniedError {
  readonly entityTypes: EntityType[];
  /** Occurrences by type of every value detected in the refused text (the blocked ones and any others). */
  readonly counts: Record<string, number>;
  /** `types`: the types that caused the block; `detected`: one entry per value found (default: `types`). */
  constructor(types: Iterable<EntityType>, where = 'text', detected?: Iterable<EntityType>) {
    const all = [...types];
    const list = [...new Set(all)].sort();
    super(`DLP blocked the ${where}: it contains ${list.join(', ')}; remove or redact these values and retry.`, {
      reason: 'dlp_blocked',
      entityTypes: list,
    });
    this.entityTypes = list;
    this.counts = {};
    for (const t of detected ?? all) this.counts[t] = (this.counts[t] ?? 0) + 1;
  }
}
