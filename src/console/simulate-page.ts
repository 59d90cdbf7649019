// Policy simulation: paste a policy file (the bundle's YAML with CEL conditions), build a candidate bundle from it and
// the active revision's files, and show what it would have decided on the last 24 h of recorded decisions.
import { html } from 'hono/html';
import type { PolicyFile } from '../policy/compiler.js';
import type { SimulationReport } from '../policy/simulate.js';
import type { StoredRevision } from '../policy/policy-store.js';
import type { ConsoleCtx, Register } from './console-context.js';
import { render } from './console-context.js';
import { csrfField, isoTime, type Html, type PageFrame } from './console-layout.js';

const SINCE = ['1h', '24h', '7d'] as const;
/** Changes shown on the page, and all the page asks the API for (its counts still cover every replayed decision). */
const SHOWN = 50;
/** Apps named in the per-app summary, most changed first. */
const APPS_SHOWN = 20;

interface ErrorBody {
  error?: { message?: string; details?: { path: string; message: string }[] };
}

/** The candidate bundle: the pasted file alone, or added to (or replacing one file of) the active revision. */
export function candidateFiles(
  active: readonly PolicyFile[],
  pasted: string,
  mode: string,
  path: string,
): PolicyFile[] {
  const file = { path: path || 'pasted.yaml', content: pasted };
  if (mode === 'alone') return [file];
  if (mode.startsWith('replace:')) {
    const target = mode.slice('replace:'.length);
    return [...active.filter((f) => f.path !== target), { ...file, path: target }];
  }
  return [...active.filter((f) => f.path !== file.path), file];
}

function form(ctx: ConsoleCtx, active: readonly PolicyFile[], f: Record<string, string>): Html {
  const mode = f.mode ?? 'add';
  return html`<form method="post" action="/policies/simulate">
    ${csrfField(ctx.csrf)}
    <p>
      Paste one policy file in the bundle's format (YAML documents of <code>kind: Policy</code> with a CEL
      <code>condition</code>, as <code>gatehouse policy apply</code> takes). Nothing is applied: the recorded decision
      inputs (already masked by the decision log) are replayed against the candidate.
    </p>
    <label for="policy">Policy YAML</label>
    <textarea id="policy" name="policy" rows="16" cols="100" required spellcheck="false">${f.policy ?? ''}</textarea>
    <div class="filters">
      <label
        >Candidate bundle
        <select name="mode">
          <option value="add" ${mode === 'add' ? 'selected' : ''}>active bundle + this file</option>
          ${active
            .filter((a) => !a.path.endsWith('.test.yaml'))
            .map(
              (a) =>
                html`<option value="replace:${a.path}" ${mode === `replace:${a.path}` ? 'selected' : ''}>
                  active bundle, replacing ${a.path}
                </option>`,
            )}
          <option value="alone" ${mode === 'alone' ? 'selected' : ''}>this file alone</option>
        </select></label
      >
      <label>File name <input name="path" value="${f.path ?? 'pasted.yaml'}" maxlength="200" /></label>
      <label
        >Replay
        <select name="since">
          ${SINCE.map((s) => html`<option value="${s}" ${(f.since ?? '24h') === s ? 'selected' : ''}>last ${s}</option>`)}
        </select></label
      >
      <button type="submit">Simulate</button>
    </div>
  </form>`;
}

function report(r: SimulationReport): Html {
  return html`<h2 id="result">Result</h2>
    <p role="status">
      Candidate <code>${r.candidateRevision}</code> against active <code>${r.activeRevision}</code>:
      <strong>${r.changed}</strong> of ${r.replayed} recorded decisions since ${isoTime(r.since)} would change
      (${r.effectChanged} in effect, the rest in
      limits)${r.skipped ? `; ${r.skipped} gate/identify decisions are not replayable` : ''}.
    </p>
    <table>
      <caption>
        Effect changes (recorded → simulated)
      </caption>
      <thead>
        <tr>
          <th scope="col">Recorded</th>
          <th scope="col">Simulated</th>
          <th scope="col">Decisions</th>
        </tr>
      </thead>
      <tbody>
        ${
          r.transitions.length
            ? r.transitions.map(
                (t) =>
                  html`<tr>
                    <td>${t.from}</td>
                    <td>${t.to}</td>
                    <td>${t.count}</td>
                  </tr>`,
              )
            : html`<tr>
                <td colspan="3">No effect would change.</td>
              </tr>`
        }
      </tbody>
    </table>
    <p>
      By policy: ${r.byPolicy.map((p) => `${p.policy} ${p.changed}`).join(', ') || 'none'}. By app:
      ${r.byApp.map((a) => `${a.app} ${a.changed}`).join(', ') || 'none'}${
        r.appsChanged > r.byApp.length ? ` and ${r.appsChanged - r.byApp.length} more apps` : ''
      }.
    </p>
    <table>
      <caption>
        ${r.changes.length} of ${r.changed} changed decisions, newest first (masked as in the decision log)
      </caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">App</th>
          <th scope="col">Action</th>
          <th scope="col">Subject</th>
          <th scope="col">Resource</th>
          <th scope="col">Recorded</th>
          <th scope="col">Simulated</th>
          <th scope="col">Policies</th>
        </tr>
      </thead>
      <tbody>
        ${r.changes.map(
          (c) =>
            html`<tr class="changed">
              <td>${isoTime(c.time)}</td>
              <td>${c.app ?? '—'}</td>
              <td>${c.action}</td>
              <td>${c.user}</td>
              <td>${c.resource.type}:${c.resource.id}</td>
              <td>${c.before.effect}</td>
              <td>${c.after.effect}${c.after.effect === 'allow' ? '' : `: ${c.after.reason}`}</td>
              <td>${c.policies.join(', ')}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

async function activeFiles(ctx: ConsoleCtx): Promise<PolicyFile[]> {
  const list = await ctx.api.get<{ active: string | null }>('/api/v1/policies');
  const rev = list.ok ? list.body.active : null;
  if (!rev) return [];
  const r = await ctx.api.get<StoredRevision>(`/api/v1/policies/revisions/${encodeURIComponent(rev)}`);
  return r.ok ? r.body.files.map((f) => ({ path: f.path, content: f.content })) : [];
}

async function simulatePage(ctx: ConsoleCtx): Promise<Response> {
  const active = await activeFiles(ctx);
  if (ctx.c.req.method !== 'POST')
    return render(ctx, { title: 'Simulate a policy', nav: 'policies' }, form(ctx, active, {}));
  const f = ctx.form;
  const since = (SINCE as readonly string[]).includes(f.since ?? '') ? f.since : '24h';
  const files = candidateFiles(active, f.policy ?? '', f.mode ?? 'add', (f.path ?? '').trim());
  const r = await ctx.api.post<SimulationReport & ErrorBody>('/api/v1/policies/simulate', {
    files,
    since,
    maxChanges: SHOWN,
    maxApps: APPS_SHOWN,
  });
  let notice: PageFrame['notice'];
  let out: Html = html``;
  if (r.ok) out = report(r.body);
  else {
    notice = { kind: 'error', text: r.error ?? 'refused' };
    const details = r.body.error?.details ?? [];
    if (details.length)
      out = html`<h2>Problems</h2>
        <ul class="problems">
          ${details.map((d) => html`<li><code>${d.path}</code>: ${d.message}</li>`)}
        </ul>`;
  }
  return render(
    ctx,
    { title: 'Simulate a policy', nav: 'policies', notice },
    html`${form(ctx, active, f)} ${out}`,
    r.status,
  );
}

export function registerSimulatePage(register: Register): void {
  register('get', '/policies/simulate', simulatePage);
  register('post', '/policies/simulate', simulatePage);
}
