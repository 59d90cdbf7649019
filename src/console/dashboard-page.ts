// Dashboards: per-minute telemetry aggregates of one app, user, model or connector over 1 h / 24 h / 7 d, one
// inline SVG bar chart per kind and metric (no chart library to ship) and a totals table for screen readers; with no
// key, every key of the dimension compared (one query); time to contain per alert firing. One API call per chart.
import { html } from 'hono/html';
import { AGGREGATE_DIMS, type AggregateRow } from '../telemetry/minute-aggregates.js';
import type { ConsoleCtx, Register } from './console-context.js';
import { render } from './console-context.js';
import { isoTime, type Html } from './console-layout.js';
import { COMPARE_METRICS, compareKeys, compareSection, containSection } from './dashboard-sections.js';

const WINDOWS: Record<string, { ms: number; bucketMs: number }> = {
  '1h': { ms: 3_600_000, bucketMs: 60_000 },
  '24h': { ms: 86_400_000, bucketMs: 900_000 },
  '7d': { ms: 604_800_000, bucketMs: 7_200_000 },
};

function chart(title: string, buckets: number[], from: number, bucketMs: number): Html {
  const max = Math.max(1, ...buckets);
  const w = 600 / buckets.length;
  return html`<figure>
    <svg role="img" aria-label="${title}: peak ${max} per bucket" width="600" height="120" viewBox="0 0 600 120">
      <rect x="0" y="0" width="600" height="120" fill="#f6f6f6"></rect>
      ${buckets.map((v, i) =>
        v > 0
          ? html`<rect
              x="${(i * w).toFixed(1)}"
              y="${(118 - (v / max) * 110).toFixed(1)}"
              width="${Math.max(1, w - 1).toFixed(1)}"
              height="${((v / max) * 110).toFixed(1)}"
              fill="#14213d"
              ><title>${isoTime(from + i * bucketMs)}: ${v}</title></rect
            >`
          : '',
      )}
    </svg>
    <figcaption>${title} (peak ${max})</figcaption>
  </figure>`;
}

async function dashboardPage(ctx: ConsoleCtx): Promise<Response> {
  const q = ctx.c.req.query();
  const dim = (AGGREGATE_DIMS as readonly string[]).includes(q.dim ?? '') ? q.dim! : 'app';
  const key = q.key ?? '';
  const win = WINDOWS[q.window ?? ''] ? q.window! : '24h';
  const { ms, bucketMs } = WINDOWS[win];
  const to = Date.now();
  const from = to - ms;
  const kind = q.kind || 'model.invocation';
  const metric = (COMPARE_METRICS as readonly string[]).includes(q.metric ?? '') ? q.metric! : 'costUsd';
  const compare = key ? undefined : compareKeys(ctx.api, { dim, kind, metric, from, to });
  const contain = containSection(ctx.api, from, win);
  const r = key
    ? await ctx.api.get<{ rows: AggregateRow[] }>('/api/v1/telemetry/aggregates', {
        dim,
        key,
        from: String(from),
        to: String(to),
      })
    : undefined;
  const series = new Map<string, number[]>();
  for (const row of r?.ok ? r.body.rows : []) {
    const name = `${row.kind} ${row.metric}`;
    let b = series.get(name);
    if (!b) series.set(name, (b = new Array<number>(Math.ceil(ms / bucketMs)).fill(0)));
    const i = Math.floor((row.minute - from) / bucketMs);
    if (i >= 0 && i < b.length) b[i] += row.total;
  }
  const body = html`<form method="get" class="filters">
      <label
        >By
        <select name="dim">
          ${AGGREGATE_DIMS.map((d) => html`<option value="${d}" ${d === dim ? 'selected' : ''}>${d}</option>`)}
        </select></label
      >
      <label>Name (empty: compare all) <input name="key" value="${key}" /></label>
      <label>Compare kind <input name="kind" value="${kind}" /></label>
      <label
        >Compare metric
        <select name="metric">
          ${COMPARE_METRICS.map((m) => html`<option value="${m}" ${m === metric ? 'selected' : ''}>${m}</option>`)}
        </select></label
      >
      <label
        >Window
        <select name="window">
          ${Object.keys(WINDOWS).map((w) => html`<option value="${w}" ${w === win ? 'selected' : ''}>${w}</option>`)}
        </select></label
      >
      <button type="submit">Show</button>
    </form>
    ${compare ? compareSection(await compare, { dim, kind, metric, win }) : ''}
    ${r && !r.ok ? html`<p class="why">Not shown: ${r.error}</p>` : ''}
    ${r?.ok && series.size === 0 ? html`<p>No telemetry for ${dim} ${key} in the last ${win}.</p>` : ''}
    ${[...series.entries()].map(([name, b]) => chart(name, b, from, bucketMs))}
    ${
      series.size
        ? html`<table>
            <caption>
              Totals over ${win}
            </caption>
            <thead>
              <tr>
                <th scope="col">Kind and metric</th>
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              ${[...series.entries()].map(
                ([name, b]) =>
                  html`<tr>
                    <td>${name}</td>
                    <td>${b.reduce((a, x) => a + x, 0)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : ''
    }
    <h2>Alert firings and time to contain</h2>
    ${await contain}`;
  return render(ctx, { title: 'Dashboards', nav: 'dashboards' }, body);
}

export function registerDashboardPage(register: Register): void {
  register('get', '/dashboards', dashboardPage);
}
