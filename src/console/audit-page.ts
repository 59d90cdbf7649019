// Audit page: the latest signed checkpoint, the newest entries (filter by app and type), and an in-browser check
// of any entry's inclusion proof (console-script.ts). /audit/proof hands the browser the leaf, the proof against
// the latest checkpoint and the verifier key, all read through the audit API with the user's own roles.
import { html } from 'hono/html';
import type { EntryJson } from '../audit/audit-api-schemas.js';
import type { ConsoleCtx, Register } from './console-context.js';
import { render } from './console-context.js';

const SHOWN = 25;

interface CheckpointJson {
  checkpoint: string;
  size: number;
  rootHash: string;
  time: string;
}

function summary(e: EntryJson): string {
  const ev = (e.event ?? {}) as { type?: string; actor?: string; app?: string };
  return [ev.type, ev.actor && `by ${ev.actor}`, ev.app && `app ${ev.app}`].filter(Boolean).join(' ');
}

async function auditPage(ctx: ConsoleCtx): Promise<Response> {
  const app = ctx.c.req.query('app') ?? '';
  const type = ctx.c.req.query('type') ?? '';
  const cp = await ctx.api.get<CheckpointJson>('/api/v1/audit/checkpoint');
  if (!cp.ok)
    return render(
      ctx,
      { title: 'Audit', nav: 'audit', notice: { kind: 'error', text: cp.error ?? '' } },
      html``,
      cp.status,
    );
  const key = await ctx.api.get<{ verifierKey: string }>('/api/v1/audit/key');
  // Unfiltered: the newest entries the checkpoint covers; filtered: the first matches (the API pages forward).
  const start = app || type ? 0 : Math.max(0, cp.body.size - SHOWN);
  const entries = await ctx.api.get<{ entries: EntryJson[] }>('/api/v1/audit/entries', {
    start: String(start),
    limit: String(SHOWN),
    app,
    type,
  });
  const rows = entries.ok ? [...entries.body.entries].reverse() : [];
  const body = html`<h2>Latest signed checkpoint</h2>
    <p>
      Tree size ${cp.body.size}, signed at ${cp.body.time}. Verifier key:
      <code>${key.ok ? key.body.verifierKey : '?'}</code>
    </p>
    <pre>${cp.body.checkpoint}</pre>
    <form method="get" action="/audit" class="filters" role="search">
      <label>App <input name="app" value="${app}" /></label>
      <label>Type <input name="type" value="${type}" placeholder="kill.set" /></label>
      <button type="submit">Filter</button>
    </form>
    <table>
      <caption>
        Audit entries
      </caption>
      <thead>
        <tr>
          <th scope="col">Index</th>
          <th scope="col">Time</th>
          <th scope="col">Entry</th>
          <th scope="col">Proof</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (e) =>
            html`<tr>
              <td>${e.index}</td>
              <td>${e.time}</td>
              <td>${summary(e)}</td>
              <td>
                ${
                  e.index < cp.body.size
                    ? html`<button type="button" data-verify-index="${e.index}">Verify inclusion</button>`
                    : 'after the latest checkpoint'
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
    <section id="proof" aria-live="polite" aria-labelledby="proof-h">
      <h2 id="proof-h">Inclusion proof check (in this browser)</h2>
      <p class="result">Pick an entry and press “Verify inclusion”. The key is pinned in this browser on first use.</p>
      <ol class="steps"></ol>
    </section>`;
  return render(ctx, { title: 'Audit', nav: 'audit' }, body);
}

/** JSON for the browser's check: what it verifies comes from the audit API, never computed here. */
async function proofJson(ctx: ConsoleCtx): Promise<Response> {
  const index = ctx.c.req.query('index') ?? '';
  const cp = await ctx.api.get<CheckpointJson>('/api/v1/audit/checkpoint');
  if (!cp.ok) return ctx.c.json({ error: { message: cp.error } }, cp.status as 400);
  const [proof, entry, key] = await Promise.all([
    ctx.api.get<{ leafIndex: number; treeSize: number; inclusionPath: string[] }>('/api/v1/audit/proof/inclusion', {
      index,
      treeSize: String(cp.body.size),
    }),
    ctx.api.get<EntryJson>(`/api/v1/audit/entries/${encodeURIComponent(index)}`),
    ctx.api.get<{ verifierKey: string }>('/api/v1/audit/key'),
  ]);
  const bad = [proof, entry, key].find((r) => !r.ok);
  if (bad) return ctx.c.json({ error: { message: bad.error } }, bad.status as 400);
  return ctx.c.json({
    entry: entry.body.entry,
    leafIndex: proof.body.leafIndex,
    treeSize: proof.body.treeSize,
    inclusionPath: proof.body.inclusionPath,
    checkpoint: cp.body.checkpoint,
    verifierKey: key.body.verifierKey,
  });
}

export function registerAuditPages(register: Register): void {
  register('get', '/audit', auditPage);
  register('get', '/audit/proof', proofJson);
}
