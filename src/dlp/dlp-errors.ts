// The error a `block` policy raises: it names the entity types found, never the values.
import { PolicyDeniedError } from '../core/errors.js';
import type { EntityType } from './types.js';

export class DlpBlockedError extends PolicyDeniedError {
  readonly entityTypes: EntityType[];
  constructor(types: Iterable<EntityType>, where = 'text') {
    const list = [...new Set(types)].sort();
    super(`DLP blocked the ${where}: it contains ${list.join(', ')}; remove or redact these values and retry.`, {
      reason: 'dlp_blocked',
      entityTypes: list,
    });
    this.entityTypes = list;
  }
}
