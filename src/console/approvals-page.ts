// Approvals queue and decision page: pending requests for the reviewer's roles with risk factors, findings, the
// diff against the previous version and the SLA due time; approve/reject through the approvals API, which enforces
// separation of duties and quorum. Buttons a reviewer cannot use are disabled with the reason beside them.
import { html } from 'hono/html';
import type { ApprovalSummary, Finding, RiskAssessment } from '../admission/admission-types.js';
import type { AppVersionDiff } from '../apps/app-diff.js';
import type { Principal } from '../identity/principal.js';
import type { ConsoleCtx, Register } from './console-context.js';
import { render, seeOther } from './console-context.js';
import { csrfField, isoTime, type Html, type PageFrame } from './console-layout.js';

const SHOWN = 100;

type Detail = ApprovalSummary & { risk: RiskAssessment; findings: Finding[] };

function due(a: ApprovalSummary, now: number): Html {
  if (a.dueAt === undefined) return html`—`;
  return a.dueAt < now
    ? html`<span class="overdue">${isoTime(a.dueAt)} (overdue)</span>`
    : html`<span>${isoTime(a.dueAt)}</span>`;
}

async function queuePage(ctx: ConsoleCtx): Promise<Response> {
  // By default only what this reviewer can act on (one API call); ?all=1 adds every pending request.
  const all = ctx.c.req.query('all') === '1';
  const list = await ctx.api.get<{ items: ApprovalSummary[] }>(
    '/api/v1/approvals',
    all ? { state: 'pending' } : { mine: 'true' },
  );
  const items = list.ok ? list.body.items : [];
  const shown = items.slice(0, SHOWN);
  const now = Date.now();
  const body = html`<p>
      ${all ? html`${items.length} pending in all.` : html`${items.length} request(s) wait for you.`}
      <a href="${all ? '/approvals' : '/approvals?all=1'}">${all ? 'Show only mine' : 'Show all pending'}</a>
      ${items.length > SHOWN ? html` Showing the newest ${SHOWN}.` : ''}
    </p>
    <table>
      <caption>
        ${all ? 'Pending approval requests' : 'Approval requests waiting for you'}
      </caption>
      <thead>
        <tr>
          <th scope="col">App</th>
          <th scope="col">Risk</th>
          <th scope="col">Needs</th>
          <th scope="col">Approvals</th>
          <th scope="col">Submitted by</th>
          <th scope="col">SLA due</th>
        </tr>
      </thead>
      <tbody>
        ${shown.map(
          (a) =>
            html`<tr>
              <td><a href="/approvals/${a.id}">${a.app} v${a.version}</a></td>
              <td>${a.tier} (${a.score})</td>
              <td>${a.requiredRoles.join(', ')}</td>
              <td>${a.votes.filter((v) => v.vote === 'approve').length} of ${a.minApprovals}</td>
              <td>${a.submittedBy}</td>
              <td>${due(a, now)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  const notice = list.ok ? undefined : { kind: 'error' as const, text: list.error ?? '' };
  return render(ctx, { title: 'Approvals', nav: 'approvals', notice }, body);
}

/** Why this reviewer cannot decide, mirroring the checks the approvals service makes (it still makes them). */
export function whyDisabled(
  a: ApprovalSummary,
  owner: string | undefined,
  p: Principal,
  eligible: boolean,
): string | undefined {
  if (a.state !== 'pending') return `This request is already ${a.state}.`;
  if (p.user === a.submittedBy)
    return `You submitted ${a.app} v${a.version}; separation of duties asks another reviewer.`;
  if (owner && p.user === owner) return `You own ${a.app}; separation of duties asks another reviewer.`;
  if (a.votes.some((v) => v.reviewer === p.user)) return 'You already approved; one person counts once.';
  if (!eligible)
    return `Your roles (${p.roles.join(', ') || 'none'}) hold none of the reviewer slots still open: ${a.requiredRoles.join(', ')}.`;
  return undefined;
}

function diffSection(d: AppVersionDiff | undefined): Html {
  if (!d) return html`<p>First version: nothing to compare with.</p>`;
  return html`<h3>Manifest changes from v${d.from.version}</h3>
    <ul>
      ${d.manifest.map(
        (f) =>
          html`<li>
            <code>${f.path}</code> ${f.change}: ${JSON.stringify(f.before ?? null)} → ${JSON.stringify(f.after ?? null)}
          </li>`,
      )}
    </ul>
    <h3>Code changes</h3>
    ${d.code.map(
      (f) =>
        html`<h4>${f.file} (${f.change})</h4>
          <pre>${f.patch}</pre>`,
    )}`;
}

async function detailPage(ctx: ConsoleCtx, notice?: PageFrame['notice'], status = 200): Promise<Response> {
  const id = ctx.c.req.param('id') ?? '';
  const r = await ctx.api.get<Detail>(`/api/v1/approvals/${encodeURIComponent(id)}`);
  if (!r.ok)
    return render(
      ctx,
      { title: 'Approval', nav: 'approvals', notice: { kind: 'error', text: r.error ?? '' } },
      html``,
      r.status,
    );
  const a = r.body;
  const done = ctx.c.req.query('done');
  if (!notice && done) notice = { kind: 'ok', text: `Your ${done} was recorded; the request is now ${a.state}.` };
  const [app, mine, diff] = await Promise.all([
    ctx.api.get<{ owner: string }>(`/api/v1/apps/${encodeURIComponent(a.app)}`),
    ctx.api.get<{ items: ApprovalSummary[] }>('/api/v1/approvals', { mine: 'true', app: a.app }),
    a.version > 1
      ? ctx.api.get<AppVersionDiff>(`/api/v1/apps/${encodeURIComponent(a.app)}/diff`, {
          from: String(a.version - 1),
          to: String(a.version),
        })
      : Promise.resolve(undefined),
  ]);
  const eligible = mine.ok && mine.body.items.some((x) => x.id === a.id);
  const why = whyDisabled(a, app.ok ? app.body.owner : undefined, ctx.principal, eligible);
  const dis = why ? html`disabled aria-describedby="why"` : '';
  const body = html`<p>
      <a href="/apps/${encodeURIComponent(a.app)}">${a.app}</a> v${a.version}, submitted by ${a.submittedBy} at
      ${isoTime(a.createdAt)}; state <strong>${a.state}</strong>; SLA due ${due(a, Date.now())}.
    </p>
    <h2>Risk ${a.risk.tier} (${a.risk.score} / 100)</h2>
    <table>
      <caption>
        Risk factors and how to lower them
      </caption>
      <thead>
        <tr>
          <th scope="col">Factor</th>
          <th scope="col">Points</th>
          <th scope="col">Why</th>
          <th scope="col">Fix</th>
          <th scope="col">Reviewers</th>
        </tr>
      </thead>
      <tbody>
        ${a.risk.factors.map(
          (f) =>
            html`<tr>
              <td><code>${f.id}</code></td>
              <td>${f.points}</td>
              <td>${f.reason}</td>
              <td>${f.fix}</td>
              <td>${f.roles.join(', ')}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Findings</h2>
    ${
      a.findings.length
        ? html`<ul>
            ${a.findings.map((f) => html`<li>[${f.severity}] ${f.rule}${f.path ? ` (${f.path})` : ''}: ${f.message} — fix: ${f.fix}</li>`)}
          </ul>`
        : html`<p>No findings.</p>`
    }
    <h2>
      Votes (${a.votes.filter((v) => v.vote === 'approve').length} of ${a.minApprovals} approvals; needs
      ${a.requiredRoles.join(', ')})
    </h2>
    <ul>
      ${a.votes.map((v) => html`<li>${v.reviewer}: ${v.vote}${v.counted ? ` as ${v.counted}` : ''} at ${isoTime(v.at)}${v.comment ? ` — “${v.comment}”` : ''}</li>`)}
    </ul>
    <h2>Decide</h2>
    ${why ? html`<p id="why" class="why">${why}</p>` : ''}
    <form method="post" action="/approvals/${a.id}/decide">
      ${csrfField(ctx.csrf)}
      <label for="comment">Comment (required to reject)</label><br />
      <textarea id="comment" name="comment" rows="3" cols="60" maxlength="2000"></textarea><br />
      <button type="submit" name="decision" value="approve" ${dis}>Approve</button>
      <button type="submit" name="decision" value="reject" ${dis}>Reject</button>
    </form>
    <h2>Diff</h2>
    ${diffSection(diff?.ok ? diff.body : undefined)}`;
  return render(ctx, { title: `Approval ${a.id}`, nav: 'approvals', notice }, body, status);
}

export function registerApprovalPages(register: Register): void {
  register('get', '/approvals', queuePage);
  register('get', '/approvals/:id', (ctx) => detailPage(ctx));
  register('post', '/approvals/:id/decide', async (ctx) => {
    const id = ctx.c.req.param('id') ?? '';
    const decision = ctx.form.decision === 'reject' ? 'reject' : 'approve';
    const comment = (ctx.form.comment ?? '').trim();
    const r = await ctx.api.post<ApprovalSummary>(
      `/api/v1/approvals/${encodeURIComponent(id)}/${decision}`,
      comment || decision === 'reject' ? { comment } : {},
    );
    if (!r.ok) return detailPage(ctx, { kind: 'error', text: r.error ?? 'refused' }, r.status);
    return seeOther(ctx, `/approvals/${encodeURIComponent(id)}?done=${decision}`);
  });
}
