// Dashboard sections beyond one key's charts: a comparison of every key of a dimension (one aggregate query for the
// whole chart, never one per key) and time to contain per alert firing (one history read, one audit read).
import { html } from 'hono/html';
import type { AggregateRow } from '../telemetry/minute-aggregates.js';
import type { EntryJson } from '../audit/audit-api-schemas.js';
import type { ConsoleApi } from './console-api.js';
import { isoTime, type Html } from './console-layout.js';
import { containPercentile, containTimes, type FiringLike, type KillSet } from './contain-times.js';

export const COMPARE_METRICS = ['costUsd', 'events', 'tokensIn', 'tokensOut', 'dlpFindings', 'latencyMs'] as const;
const TOP = 15;

/** Totals per key for one kind and metric over the window, biggest first: one API call. */
export async function compareKeys(
  api: ConsoleApi,
  q: { dim: string; kind: string; metric: string; from: number; to: number },
): Promise<{ ok: boolean; error?: string; totals: { key: string; total: number }[] }> {
  const r = await api.get<{ rows: AggregateRow[] }>('/api/v1/telemetry/aggregates', {
    dim: q.dim,
    kind: q.kind,
    metric: q.metric,
    from: String(q.from),
    to: String(q.to),
  });
  if (!r.ok) return { ok: false, error: r.error, totals: [] };
  const by = new Map<string, number>();
  for (const row of r.body.rows) by.set(row.key, (by.get(row.key) ?? 0) + row.total);
  const totals = [...by].map(([key, total]) => ({ key, total })).sort((a, b) => b.total - a.total);
  return { ok: true, totals };
}

export function compareSection(
  c: Awaited<ReturnType<typeof compareKeys>>,
  q: { dim: string; kind: string; metric: string; win: string },
): Html {
  if (!c.ok) return html`<p class="why">Not shown: ${c.error}</p>`;
  if (c.totals.length === 0) return html`<p>No ${q.kind} ${q.metric} for any ${q.dim} in the last ${q.win}.</p>`;
  const top = c.totals.slice(0, TOP);
  const max = Math.max(1e-9, top[0].total);
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(4));
  return html`<figure>
      <svg
        role="img"
        aria-label="${q.kind} ${q.metric} by ${q.dim}, top ${top.length}"
        width="600"
        height="${top.length * 22 + 4}"
        viewBox="0 0 600 ${top.length * 22 + 4}"
      >
        ${top.map(
          (t, i) =>
            html`<rect
                x="160"
                y="${i * 22 + 2}"
                width="${((t.total / max) * 430).toFixed(1)}"
                height="18"
                fill="#14213d"
                ><title>${t.key}: ${fmt(t.total)}</title></rect
              ><text x="155" y="${i * 22 + 15}" text-anchor="end" font-size="12">${t.key.slice(0, 24)}</text>`,
        )}
      </svg>
      <figcaption>${q.kind} ${q.metric} by ${q.dim} over ${q.win} (top ${top.length} of ${c.totals.length})</figcaption>
    </figure>
    <table>
      <caption>
        ${q.metric} by ${q.dim}
      </caption>
      <thead>
        <tr>
          <th scope="col">${q.dim}</th>
          <th scope="col">Total</th>
        </tr>
      </thead>
      <tbody>
        ${top.map(
          (t) =>
            html`<tr>
              <td><a href="/dashboards?dim=${q.dim}&key=${encodeURIComponent(t.key)}&window=${q.win}">${t.key}</a></td>
              <td>${fmt(t.total)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

interface KillEvent {
  actor?: string;
  data?: { scope?: string; target?: string };
}

/** Firings since `from` (newest 200) and the kills set since then: two API calls for the whole table. */
export async function containSection(api: ConsoleApi, from: number, win: string): Promise<Html> {
  const [firings, kills] = await Promise.all([
    api.get<{ firings: FiringLike[] }>('/api/v1/alerts/history', { limit: '200' }),
    api.get<{ entries: EntryJson[] }>('/api/v1/audit/entries', {
      type: 'kill.set',
      since: new Date(from).toISOString(),
      limit: '1000',
    }),
  ]);
  if (!firings.ok) return html`<p class="why">Not shown: ${firings.error}</p>`;
  const ks: KillSet[] = (kills.ok ? kills.body.entries : []).map((e) => {
    const ev = (e.event ?? {}) as KillEvent;
    return {
      time: Date.parse(e.time),
      actor: ev.actor ?? '?',
      scope: ev.data?.scope ?? '',
      target: ev.data?.target ?? '',
    };
  });
  const times = containTimes(
    firings.body.firings.filter((f) => f.firedAt >= from),
    ks,
  );
  const s = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
  return html`<p>
      ${times.length} firings in the last ${win}; ${times.filter((t) => t.how !== 'not contained').length} contained.
      Firing → containment: median ${s(containPercentile(times, 50))}, p90 ${s(containPercentile(times, 90))}.
      ${kills.ok ? '' : html`<span class="why">Manual kills not read: ${kills.error}</span>`}
    </p>
    <table>
      <caption>
        Time to contain per alert firing
      </caption>
      <thead>
        <tr>
          <th scope="col">Fired</th>
          <th scope="col">Rule</th>
          <th scope="col">App or key</th>
          <th scope="col">Contained by</th>
          <th scope="col">Firing → contained</th>
          <th scope="col">First event → contained</th>
        </tr>
      </thead>
      <tbody>
        ${
          times.length === 0
            ? html`<tr>
                <td colspan="6">No alert firings in the last ${win}.</td>
              </tr>`
            : ''
        }
        ${times.map(
          (t) =>
            html`<tr class="contain">
              <td>${isoTime(t.firing.firedAt)}</td>
              <td>${t.firing.rule}</td>
              <td>${t.firing.app ?? `${t.firing.groupBy ?? ''} ${t.firing.groupKey ?? ''}`}</td>
              <td>${t.how}${t.by ? ` (${t.by})` : ''}</td>
              <td>${s(t.afterFiringMs)}</td>
              <td>${s(t.afterFirstEventMs)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}
