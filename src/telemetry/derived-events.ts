// Derives `dlp.detection` events from gateway call records, which carry the entity types a call's DLP found
// (prompt and output together in `entityTypes`, or output only in `outputEntityTypes` when reported apart).
import type { TelemetryEvent } from '../core/sinks.js';

/** One detection event per call that found entities; count 1 per entity type (the record has no per-type counts). */
export function dlpDetectionFrom(e: TelemetryEvent): TelemetryEvent | undefined {
  if (e.kind !== 'model.invocation') return undefined;
  const output = e.attrs?.outputEntityTypes;
  const any = e.attrs?.entityTypes;
  const types = typeof output === 'string' && output ? output : typeof any === 'string' && any ? any : undefined;
  if (!types) return undefined;
  const entities = types.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    kind: 'dlp.detection', time: e.time, app: e.app, appVersion: e.appVersion, user: e.user, model: e.model, ids: e.ids,
    metrics: { count: 1, types: entities.length },
    attrs: { entities: entities.join(','), direction: types === output ? 'output' : 'unknown', source: 'gateway', action: String(e.attrs?.outcome ?? '') },
  };
}
