// Inventory pages: apps (keyset-paged, filtered by name and state, with risk tier and cost today) and the catalog
// (models, datasets, connectors), each row with a one-click kill switch where the scope has one.
import { html } from 'hono/html';
import type { AppSummary } from '../apps/app-registry.js';
import { LIFECYCLE_STATES } from '../apps/lifecycle-states.js';
import type { ApprovalSummary } from '../admission/admission-types.js';
import type { ConsoleCtx, Register } from './console-context.js';
import { render } from './console-context.js';
import type { Html } from './console-layout.js';
import { killButton } from './kills-page.js';

const PAGE_SIZE = 50;

interface CostLine {
  key: string;
  costUsd: number;
}

function startOfTodayUtc(now: number): string {
  const d = new Date(now);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString();
}

async function appsPage(ctx: ConsoleCtx): Promise<Response> {
  const q = ctx.c.req.query('q') ?? '';
  const state = ctx.c.req.query('state') ?? '';
  const after = ctx.c.req.query('after') ?? '';
  const list = await ctx.api.get<{ items: AppSummary[]; next: string | null }>('/api/v1/apps', {
    limit: String(PAGE_SIZE),
    q,
    state,
    after,
  });
  if (!list.ok)
    return render(
      ctx,
      { title: 'Apps', nav: 'apps', notice: { kind: 'error', text: list.error ?? '' } },
      html``,
      list.status,
    );
  // Cost today by app in one query; creators may only read their own apps' costs, so they see a dash.
  const costs = await ctx.api.get<{ lines: CostLine[] }>('/api/v1/costs', {
    by: 'app',
    since: startOfTodayUtc(Date.now()),
  });
  const costOf = new Map(costs.ok ? costs.body.lines.map((l) => [l.key, l.costUsd]) : []);
  const tiers = await Promise.all(
    list.body.items.map(async (a) => {
      const r = await ctx.api.get<{ items: ApprovalSummary[] }>('/api/v1/approvals', { app: a.name });
      return r.ok ? (r.body.items.find((x) => x.version === a.latest)?.tier ?? r.body.items[0]?.tier) : undefined;
    }),
  );
  const rows = list.body.items.map(
    (a, i) =>
      html`<tr>
        <td><a href="/apps/${encodeURIComponent(a.name)}">${a.name}</a></td>
        <td>${a.owner}</td>
        <td>${a.state} (v${a.latest})</td>
        <td>${a.inForce === null ? '—' : `v${a.inForce}`}</td>
        <td>${tiers[i] ?? '—'}</td>
        <td>${a.environment}</td>
        <td>${costs.ok ? `$${(costOf.get(a.name) ?? 0).toFixed(4)}` : '—'}</td>
        <td>${killButton(ctx, 'app', a.name)}</td>
      </tr>`,
  );
  const nextHref = list.body.next
    ? `/apps?${new URLSearchParams({ q, state, after: list.body.next }).toString()}`
    : undefined;
  const body = html`<form method="get" action="/apps" class="filters" role="search">
      <label>Name contains <input name="q" value="${q}" /></label>
      <label
        >State
        <select name="state">
          <option value="">any</option>
          ${LIFECYCLE_STATES.map((s) => html`<option value="${s}" ${s === state ? 'selected' : ''}>${s}</option>`)}
        </select>
      </label>
      <button type="submit">Filter</button>
    </form>
    <table>
      <caption>
        Apps${after ? html` after “${after}”` : ''} (${list.body.items.length} shown)
      </caption>
      <thead>
        <tr>
          <th scope="col">App</th>
          <th scope="col">Owner</th>
          <th scope="col">Latest</th>
          <th scope="col">In force</th>
          <th scope="col">Risk tier</th>
          <th scope="col">Environment</th>
          <th scope="col">Cost today</th>
          <th scope="col">Kill switch</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
    <p>
      ${after ? html`<a href="/apps?${new URLSearchParams({ q, state }).toString()}">First page</a>` : ''}
      ${nextHref ? html`<a href="${nextHref}" rel="next">Next page</a>` : ''}
    </p>`;
  return render(ctx, { title: 'Apps', nav: 'apps' }, body);
}

const KINDS = { models: 'Model', datasets: 'Dataset', connectors: 'Connector' } as const;
type KindPath = keyof typeof KINDS;

interface CatalogDoc {
  kind: string;
  metadata: { name: string; owner?: string };
  spec: Record<string, unknown>;
}

function catalogRow(ctx: ConsoleCtx, kind: KindPath, d: CatalogDoc): Html {
  const s = d.spec as Record<string, never>;
  if (kind === 'models')
    return html`<tr>
      <td>${d.metadata.name}</td>
      <td>${s.provider}</td>
      <td>${s.region}</td>
      <td>${s.risk}</td>
      <td>${(s.environments as string[]).join(', ')}</td>
      <td>${killButton(ctx, 'model', d.metadata.name)}</td>
    </tr>`;
  if (kind === 'datasets')
    return html`<tr>
      <td>${d.metadata.name}</td>
      <td>${d.metadata.owner}</td>
      <td>${s.classification}</td>
      <td>${s.region}</td>
      <td>
        ${(s.columns as { name: string; tags: string[] }[]).map(
          (c) => html`${c.name}${c.tags.length ? ` [${c.tags.join(', ')}]` : ''}; `,
        )}
      </td>
    </tr>`;
  return html`<tr>
    <td>${d.metadata.name}</td>
    <td>${d.metadata.owner}</td>
    <td>${s.kind}</td>
    <td>${(s.endpoints as string[]).join(', ')}</td>
    <td>${s.approved ? 'yes' : 'no'}${s.sensitive ? ', sensitive' : ''}</td>
    <td>${killButton(ctx, 'connector', d.metadata.name)}</td>
  </tr>`;
}

const HEADS: Record<KindPath, string[]> = {
  models: ['Model', 'Provider', 'Region', 'Risk', 'Environments', 'Kill switch'],
  datasets: ['Dataset', 'Owner', 'Classification', 'Region', 'Columns [tags]'],
  connectors: ['Connector', 'Owner', 'Kind', 'Endpoints', 'Approved', 'Kill switch'],
};

async function catalogPage(ctx: ConsoleCtx): Promise<Response> {
  const kind = ctx.c.req.param('kind') as KindPath;
  if (!(kind in KINDS)) return ctx.c.notFound();
  const q = (ctx.c.req.query('q') ?? '').toLowerCase();
  const r = await ctx.api.get<{ items: CatalogDoc[] }>('/api/v1/catalog', { kind: KINDS[kind] });
  const items = r.ok ? r.body.items.filter((d) => !q || d.metadata.name.toLowerCase().includes(q)) : [];
  const body = html`<nav aria-label="Catalog kinds">
      ${(Object.keys(KINDS) as KindPath[]).map(
        (k) => html`<a href="/catalog/${k}" ${k === kind ? html`aria-current="page"` : ''}>${k}</a> `,
      )}
    </nav>
    <form method="get" class="filters" role="search">
      <label>Name contains <input name="q" value="${q}" /></label>
      <button type="submit">Filter</button>
    </form>
    <table>
      <caption>
        ${KINDS[kind]}s (${items.length})
      </caption>
      <thead>
        <tr>
          ${HEADS[kind].map((h) => html`<th scope="col">${h}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${items.map((d) => catalogRow(ctx, kind, d))}
      </tbody>
    </table>`;
  const notice = r.ok ? undefined : { kind: 'error' as const, text: r.error ?? '' };
  return render(ctx, { title: 'Catalog', nav: 'catalog', notice }, body, r.ok ? 200 : r.status);
}

export function registerInventoryPages(register: Register): void {
  register('get', '/apps', appsPage);
  register('get', '/catalog/:kind', catalogPage);
}
