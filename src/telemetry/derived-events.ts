// Derives `dlp.detection` events from gateway call records: one event per entity type and direction
// (prompt or output), counting occurrences, so a rule can watch "US_SSN in one app's outputs".
import type { TelemetryEvent } from '../core/sinks.js';

export function dlpDetectionsFrom(e: TelemetryEvent): TelemetryEvent[] {
  if (e.kind !== 'model.invocation') return [];
  const out: TelemetryEvent[] = [];
  for (const direction of ['prompt', 'output'] as const) {
    const list = e.attrs?.[`${direction}EntityTypes`];
    if (typeof list !== 'string' || !list) continue;
    for (const entity of list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const count = e.metrics?.[`dlp.${direction}.${entity}`] ?? 1;
      out.push({
        kind: 'dlp.detection',
        time: e.time,
        app: e.app,
        appVersion: e.appVersion,
        user: e.user,
        model: e.model,
        ids: e.ids,
        metrics: { count },
        attrs: { entities: entity, direction, source: 'gateway', action: String(e.attrs?.outcome ?? '') },
      });
    }
  }
  return out;
}
