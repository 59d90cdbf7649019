// Kill switches: one click (with a required reason and a confirmation) on an app, version, model, connector or
// user; the list of kills in force with when each took effect; lifting, which pii/regulated apps need twice.
import { html } from 'hono/html';
import type { KillRecord } from '../rollout/kill-switches.js';
import { SCOPES } from '../rollout/scopes.js';
import type { ConsoleCtx, Register } from './console-context.js';
import { render, seeOther } from './console-context.js';
import { csrfField, isoTime, type Html, type PageFrame } from './console-layout.js';

/** A kill or lift form: scope and id hidden, a required reason, a confirmation before it posts. */
function reasonForm(
  ctx: ConsoleCtx,
  f: { action: string; scope: string; id: string; confirm: string; label: string; button: string; danger?: boolean },
): Html {
  return html`<form method="post" action="${f.action}" class="inline" data-confirm="${f.confirm}">
    ${csrfField(ctx.csrf)}
    <input type="hidden" name="scope" value="${f.scope}" />
    <input type="hidden" name="id" value="${f.id}" />
    <input name="reason" required minlength="3" maxlength="500" placeholder="reason" aria-label="${f.label}" />
    <button type="submit" ${f.danger ? html`class="danger"` : ''}>${f.button}</button>
  </form>`;
}

/** The one-click kill form shown beside anything that can be killed. */
export function killButton(ctx: ConsoleCtx, scope: string, id: string): Html {
  return reasonForm(ctx, {
    action: '/kills',
    scope,
    id,
    confirm: `Kill ${scope} ${id} now? Calls are refused at once.`,
    label: `Reason to kill ${scope} ${id}`,
    button: 'Kill',
    danger: true,
  });
}

function killRow(ctx: ConsoleCtx, k: KillRecord): Html {
  const approvals = k.liftApprovals.map((a) => `${a.actor} at ${isoTime(a.at)}`).join('; ');
  return html`<tr id="${k.id}">
    <td>${k.scope}</td>
    <td>${k.target}</td>
    <td>${k.reason}</td>
    <td>${k.actor} (${k.source})</td>
    <td><time datetime="${isoTime(k.setAt)}">${isoTime(k.setAt)}</time></td>
    <td>${approvals || 'none yet'}</td>
    <td>
      ${reasonForm(ctx, {
        action: '/kills/lift',
        scope: k.scope,
        id: k.target,
        confirm: `Approve lifting the kill on ${k.scope} ${k.target}?`,
        label: `Reason to lift the kill on ${k.scope} ${k.target}`,
        button: 'Approve lift',
      })}
    </td>
  </tr>`;
}

async function killsPage(ctx: ConsoleCtx, notice?: PageFrame['notice'], status = 200): Promise<Response> {
  const r = await ctx.api.get<{ kills: KillRecord[] }>('/api/v1/kills');
  const kills = r.ok ? r.body.kills : [];
  const q = ctx.c.req.query();
  if (!notice && q.set) {
    const k = kills.find((x) => x.id === q.set);
    notice = k
      ? { kind: 'ok', text: `Kill on ${k.scope} ${k.target} in force since ${isoTime(k.setAt)}.` }
      : { kind: 'ok', text: `Kill ${q.set} set.` };
  }
  if (!notice && q.lifted) notice = { kind: 'ok', text: `Kill on ${q.scope} ${q.lifted} lifted.` };
  if (!notice && q.pending)
    notice = {
      kind: 'ok',
      text: `Lift approval recorded (${q.have} of ${q.needed}): this kill protects pii or regulated data, so another approver must confirm before it lifts.`,
    };
  const body = html`<section aria-labelledby="new-kill">
      <h2 id="new-kill">Kill something</h2>
      <form
        method="post"
        action="/kills"
        class="filters"
        data-confirm="Set this kill switch now? Calls are refused at once."
      >
        ${csrfField(ctx.csrf)}
        <label
          >Scope
          <select name="scope">
            ${SCOPES.map((s) => html`<option value="${s}">${s}</option>`)}
          </select></label
        >
        <label>Target (app, app@version, model, connector or user) <input name="id" required /></label>
        <label>Reason <input name="reason" required minlength="3" maxlength="500" /></label>
        <button type="submit" class="danger">Kill</button>
      </form>
    </section>
    <table>
      <caption>
        Kill switches in force (${kills.length})
      </caption>
      <thead>
        <tr>
          <th scope="col">Scope</th>
          <th scope="col">Target</th>
          <th scope="col">Reason</th>
          <th scope="col">By</th>
          <th scope="col">In force since</th>
          <th scope="col">Lift approvals</th>
          <th scope="col">Lift</th>
        </tr>
      </thead>
      <tbody>
        ${kills.map((k) => killRow(ctx, k))}
      </tbody>
    </table>`;
  return render(ctx, { title: 'Kill switches', nav: 'kills', notice }, body, status);
}

function target(ctx: ConsoleCtx) {
  return { scope: ctx.form.scope ?? '', id: ctx.form.id ?? '', reason: ctx.form.reason ?? '' };
}

export function registerKillPages(register: Register): void {
  register('get', '/kills', (ctx) => killsPage(ctx));
  register('post', '/kills', async (ctx) => {
    const r = await ctx.api.post<{ kill: KillRecord }>('/api/v1/kills', target(ctx));
    if (!r.ok) return killsPage(ctx, { kind: 'error', text: r.error ?? 'refused' }, r.status);
    return seeOther(ctx, `/kills?set=${encodeURIComponent(r.body.kill.id)}#${encodeURIComponent(r.body.kill.id)}`);
  });
  register('post', '/kills/lift', async (ctx) => {
    const t = target(ctx);
    const r = await ctx.api.post<{ lifted: boolean; approvals: string[]; needed: number }>('/api/v1/kills/lift', t);
    if (!r.ok) return killsPage(ctx, { kind: 'error', text: r.error ?? 'refused' }, r.status);
    const qs = r.body.lifted
      ? new URLSearchParams({ lifted: t.id, scope: t.scope })
      : new URLSearchParams({ pending: t.id, have: String(r.body.approvals.length), needed: String(r.body.needed) });
    return seeOther(ctx, `/kills?${qs.toString()}`);
  });
}
