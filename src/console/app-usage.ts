// App detail's runs and costs: the newest sandbox runs (from the audit log's app.run.finished entries) and model
// spend today and over 7 days (from the cost ledger), read through the audit and costs APIs.
import { html } from 'hono/html';
import type { EntryJson } from '../audit/audit-api-schemas.js';
import type { ConsoleApi, ApiAnswer } from './console-api.js';
import type { Html } from './console-layout.js';

interface CostLine {
  key: string;
  requests: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}
type Costs = ApiAnswer<{ total: CostLine }>;
type Runs = ApiAnswer<{ entries: EntryJson[] }>;

export interface AppUsage {
  runs: Runs;
  today: Costs;
  week: Costs;
}

interface RunEvent {
  actor?: string;
  appVersion?: number;
  ids?: { runId?: string };
  data?: { outcome?: string; tier?: string; usage?: { wallMs?: number; costUsd?: number }; error?: string };
}

const RUNS_SHOWN = 20;

/** Three in-process API calls, made in parallel with the page's others. */
export function readAppUsage(api: ConsoleApi, app: string, now: number): Promise<AppUsage> {
  const midnight = new Date(now);
  midnight.setUTCHours(0, 0, 0, 0);
  return Promise.all([
    api.get<{ entries: EntryJson[] }>('/api/v1/audit/entries', {
      app,
      type: 'app.run.finished',
      order: 'desc',
      limit: String(RUNS_SHOWN),
    }),
    api.get<{ total: CostLine }>('/api/v1/costs', { app, since: midnight.toISOString() }),
    api.get<{ total: CostLine }>('/api/v1/costs', { app, since: '7d' }),
  ]).then(([runs, today, week]) => ({ runs, today, week }));
}

const usd = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;

function costRow(label: string, r: Costs): Html {
  if (!r.ok)
    return html`<tr>
      <th scope="row">${label}</th>
      <td colspan="4" class="why">Not shown: ${r.error}</td>
    </tr>`;
  const t = r.body.total;
  return html`<tr>
    <th scope="row">${label}</th>
    <td>${usd(t.costUsd)}</td>
    <td>${t.requests}</td>
    <td>${t.tokensIn}</td>
    <td>${t.tokensOut}</td>
  </tr>`;
}

export function usageSections(u: AppUsage): Html {
  const runs = u.runs.ok ? u.runs.body.entries.map((e) => ({ time: e.time, ev: (e.event ?? {}) as RunEvent })) : [];
  return html`<h2>Costs</h2>
    <table>
      <caption>
        Model spend from the cost ledger
      </caption>
      <thead>
        <tr>
          <th scope="col">Window</th>
          <th scope="col">Cost</th>
          <th scope="col">Requests</th>
          <th scope="col">Tokens in</th>
          <th scope="col">Tokens out</th>
        </tr>
      </thead>
      <tbody>
        ${costRow('Today (UTC)', u.today)} ${costRow('Last 7 days', u.week)}
      </tbody>
    </table>
    <h2>Recent runs</h2>
    ${
      u.runs.ok
        ? html`<table>
            <caption>
              Newest ${runs.length} sandbox runs
            </caption>
            <thead>
              <tr>
                <th scope="col">Finished</th>
                <th scope="col">Run</th>
                <th scope="col">Version</th>
                <th scope="col">User</th>
                <th scope="col">Tier</th>
                <th scope="col">Status</th>
                <th scope="col">Duration</th>
                <th scope="col">Cost</th>
              </tr>
            </thead>
            <tbody>
              ${runs.map(
                ({ time, ev }) =>
                  html`<tr class="run">
                    <td>${time}</td>
                    <td><code>${ev.ids?.runId ?? '—'}</code></td>
                    <td>${ev.appVersion === undefined ? '—' : `v${ev.appVersion}`}</td>
                    <td>${ev.actor ?? '—'}</td>
                    <td>${ev.data?.tier ?? '—'}</td>
                    <td class="${ev.data?.outcome === 'ok' ? 'pass' : 'fail'}">
                      ${ev.data?.outcome ?? '?'}${ev.data?.error ? `: ${ev.data.error}` : ''}
                    </td>
                    <td>${ev.data?.usage?.wallMs === undefined ? '—' : `${Math.round(ev.data.usage.wallMs)} ms`}</td>
                    <td>${ev.data?.usage?.costUsd === undefined ? '—' : usd(ev.data.usage.costUsd)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="why">Not shown: ${u.runs.error}</p>`
    }`;
}
