// Data-flow map page: a page of apps (same keyset paging as the inventory), their declared edges from manifests
// and the edges the last 24 h of decisions show, as an inline SVG graph and an accessible table.
import { html } from 'hono/html';
import type { AppSummary } from '../apps/app-registry.js';
import type { ConsoleCtx, Register } from './console-context.js';
import { render } from './console-context.js';
import type { Html } from './console-layout.js';
import { declaredEdges, flowEdges, type FlowEdge, type ManifestSpec, type ObservedDecision } from './flow-map.js';

const PAGE = 20;
const ROW = 28;
const COLOR: Record<FlowEdge['status'], string> = {
  'declared, used': '#1e6b1e',
  'declared, unused': '#767676',
  'observed, undeclared': '#b00020',
};

function graph(edges: FlowEdge[]): Html {
  const apps = [...new Set(edges.map((e) => e.app))];
  const targets = [...new Set(edges.map((e) => `${e.kind}:${e.target}`))];
  const height = Math.max(apps.length, targets.length) * ROW + ROW;
  const ay = (a: string) => ROW + apps.indexOf(a) * ROW;
  const ty = (t: string) => ROW + targets.indexOf(t) * ROW;
  return html`<svg role="img" aria-labelledby="flow-title" width="900" height="${height}" viewBox="0 0 900 ${height}">
    <title id="flow-title">
      Data flows: ${edges.length} edges between ${apps.length} apps and ${targets.length} resources
    </title>
    ${edges.map(
      (e) =>
        html`<line
          x1="230"
          y1="${ay(e.app)}"
          x2="600"
          y2="${ty(`${e.kind}:${e.target}`)}"
          stroke="${COLOR[e.status]}"
          stroke-width="2"
          ${e.status === 'declared, unused' ? html`stroke-dasharray="6 4"` : ''}
          ><title>${e.app} → ${e.kind} ${e.target}: ${e.status}</title></line
        >`,
    )}
    ${apps.map((a) => html`<text x="225" y="${ay(a) + 4}" text-anchor="end">${a}</text>`)}
    ${targets.map((t) => html`<text x="605" y="${ty(t) + 4}">${t}</text>`)}
  </svg>`;
}

async function flowPage(ctx: ConsoleCtx): Promise<Response> {
  const q = ctx.c.req.query('q') ?? '';
  const after = ctx.c.req.query('after') ?? '';
  const list = await ctx.api.get<{ items: AppSummary[]; next: string | null }>('/api/v1/apps', {
    limit: String(PAGE),
    q,
    after,
  });
  if (!list.ok)
    return render(
      ctx,
      { title: 'Data flows', nav: 'flows', notice: { kind: 'error', text: list.error ?? '' } },
      html``,
      list.status,
    );
  const names = list.body.items.map((a) => a.name);
  const manifests = await Promise.all(
    names.map((n) =>
      ctx.api.get<{ latest: { manifest: { spec: ManifestSpec } } }>(`/api/v1/apps/${encodeURIComponent(n)}`),
    ),
  );
  const declared = manifests.flatMap((m, i) => (m.ok ? declaredEdges(names[i], m.body.latest.manifest.spec) : []));
  // Observed edges need the decision log, which only security and auditors may read; others see declared edges.
  // One indexed query per listed app (app, time) rather than every decision of the last 24 h.
  const perApp = await Promise.all(
    names.map((n) =>
      ctx.api.get<{ items: ObservedDecision[] }>('/api/v1/decisions', { app: n, since: '24h', limit: '2000' }),
    ),
  );
  const refused = perApp.find((r) => !r.ok);
  const decisions = refused ?? { ok: true, error: undefined, body: { items: perApp.flatMap((r) => r.body.items) } };
  const edges = flowEdges(declared, decisions.ok ? decisions.body.items : [], new Set(names));
  const body = html`<form method="get" class="filters" role="search">
      <label>App name contains <input name="q" value="${q}" /></label>
      <button type="submit">Filter</button>
    </form>
    ${decisions.ok ? '' : html`<p class="why">Observed edges not shown: ${decisions.error}</p>`}
    <p>
      Legend: <span class="pass">green</span> declared and used in the last 24 h; grey dashed declared but unused;
      <span class="fail">red</span> observed but not declared.
    </p>
    ${edges.length ? graph(edges) : ''}
    <table>
      <caption>
        Edges of ${names.length} apps (last 24 h)
      </caption>
      <thead>
        <tr>
          <th scope="col">App</th>
          <th scope="col">Kind</th>
          <th scope="col">Target</th>
          <th scope="col">Status</th>
          <th scope="col">Calls</th>
          <th scope="col">Refused</th>
        </tr>
      </thead>
      <tbody>
        ${edges.map(
          (e) =>
            html`<tr class="${e.status === 'observed, undeclared' ? 'undeclared' : ''}">
              <td><a href="/apps/${encodeURIComponent(e.app)}">${e.app}</a></td>
              <td>${e.kind}</td>
              <td>${e.target}</td>
              <td>${e.status}</td>
              <td>${e.observed}</td>
              <td>${e.refused}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <p>
      ${list.body.next ? html`<a href="/flows?${new URLSearchParams({ q, after: list.body.next }).toString()}" rel="next">Next apps</a>` : ''}
    </p>`;
  return render(ctx, { title: 'Data flows', nav: 'flows' }, body);
}

export function registerFlowPage(register: Register): void {
  register('get', '/flows', flowPage);
}
