// App detail: versions and their states, risk explained with fixes, kill buttons for the app and each version,
// kills in force, flags, alert firings, recent decisions (masked by the decision log) and lifecycle history.
import { html } from 'hono/html';
import type { LoggedDecision } from '../policy/decision-log.js';
import type { KillRecord } from '../rollout/kill-switches.js';
import type { Flag } from '../rollout/flags.js';
import type { RiskAssessment, Finding } from '../admission/admission-types.js';
import type { ConsoleCtx, Register } from './console-context.js';
import { render, seeOther } from './console-context.js';
import { csrfField, isoTime, type Html, type PageFrame } from './console-layout.js';
import { killButton } from './kills-page.js';
import { readAppUsage, usageSections } from './app-usage.js';
import { factorAnchor, findingAnchor } from '../admission/risk-factor-texts.js';
import type { EntryJson } from '../audit/audit-api-schemas.js';

interface AppJson {
  name: string;
  owner: string;
  inForce: number | null;
  latest: { version: number; state: string; manifest: { spec: Record<string, unknown> } };
  versions: { version: number; hash: string; state: string; submittedBy: string; createdAt: string }[];
}

interface Firing {
  rule: string;
  firedAt: number;
  summary: string;
}

/** A link to the factor's section of the creators' guide (what it means, how to lower it). */
const guideLink = (anchor: string | undefined): Html =>
  anchor ? html`(<a href="/guides#${anchor}" class="guide-link">how to lower it</a>)` : html``;

/** Sections a role may not read say so instead of vanishing, so an empty table never reads as "nothing happened". */
function gated<T>(r: { ok: boolean; status: number; error?: string; body: T }, show: (b: T) => Html): Html {
  return r.ok ? show(r.body) : html`<p class="why">Not shown: ${r.error}</p>`;
}

/** Release, canary and rollback: the API decides who may (app managers release, operators roll back). */
function releaseForms(ctx: ConsoleCtx, a: AppJson): Html {
  const enc = encodeURIComponent(a.name);
  return html`<h2>Release</h2>
    <form method="post" action="/apps/${enc}/release" class="filters">
      ${csrfField(ctx.csrf)}
      <label>Reason <input name="reason" required maxlength="500" /></label>
      <button type="submit" name="mode" value="release">Release latest approved</button>
      <button type="submit" name="mode" value="canary">Start canary</button>
    </form>
    <form
      method="post"
      action="/apps/${enc}/rollback"
      class="filters"
      data-confirm="Roll ${a.name} back to its last known-good version?"
    >
      ${csrfField(ctx.csrf)}
      <label>Rollback reason <input name="reason" required minlength="3" maxlength="500" /></label>
      <button type="submit">Roll back</button>
    </form>`;
}

async function appPage(ctx: ConsoleCtx, notice?: PageFrame['notice'], status = 200): Promise<Response> {
  const name = ctx.c.req.param('app') ?? '';
  const enc = encodeURIComponent(name);
  const app = await ctx.api.get<AppJson>(`/api/v1/apps/${enc}`);
  if (!app.ok)
    return render(
      ctx,
      { title: name, nav: 'apps', notice: { kind: 'error', text: app.error ?? '' } },
      html``,
      app.status,
    );
  const a = app.body;
  const [explain, kills, flags, firings, decisions, history, usage] = await Promise.all([
    ctx.api.get<{ risk: RiskAssessment; findings: Finding[] }>(`/api/v1/apps/${enc}/explain`),
    ctx.api.get<{ kills: KillRecord[] }>('/api/v1/kills'),
    ctx.api.get<{ flags: Flag[] }>('/api/v1/flags', { app: name }),
    ctx.api.get<{ firings: Firing[] }>('/api/v1/alerts/history', { app: name, limit: '20' }),
    ctx.api.get<{ items: LoggedDecision[] }>('/api/v1/decisions', { app: name, limit: '20' }),
    ctx.api.get<{ entries: EntryJson[] }>('/api/v1/audit/entries', {
      app: name,
      type: 'app.lifecycle',
      order: 'desc',
      limit: '50',
    }),
    readAppUsage(ctx.api, name, Date.now()),
  ]);
  const spec = a.latest.manifest.spec;
  const body = html`<p>
      Owner ${a.owner}; in force: ${a.inForce === null ? 'none' : `v${a.inForce}`}; environment
      ${String(spec.environment)}; region ${String(spec.region)}.
    </p>
    <p>${killButton(ctx, 'app', a.name)}</p>
    ${releaseForms(ctx, a)}
    <h2>Versions</h2>
    <table>
      <caption>
        Versions of ${a.name}
      </caption>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">State</th>
          <th scope="col">Submitted</th>
          <th scope="col">Hash</th>
          <th scope="col">Kill this version</th>
        </tr>
      </thead>
      <tbody>
        ${a.versions.map(
          (v) =>
            html`<tr>
              <td>v${v.version}</td>
              <td>${v.state}</td>
              <td>${v.submittedBy} at ${v.createdAt}</td>
              <td><code>${v.hash.slice(0, 16)}</code></td>
              <td>${killButton(ctx, 'app_version', `${a.name}@${v.version}`)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Risk and fixes</h2>
    ${gated(
      explain,
      (e) =>
        html`<p>${e.risk.tier} (${e.risk.score} / 100)</p>
          <ul>
            ${e.risk.factors.map((f) => html`<li><code>${f.id}</code> +${f.points}: ${f.reason} <strong>Fix:</strong> ${f.fix} ${guideLink(factorAnchor(f.id))}</li>`)}
            ${e.findings.map((f) => html`<li>[${f.severity}] ${f.rule}: ${f.message} <strong>Fix:</strong> ${f.fix} ${guideLink(findingAnchor(f.rule, f.check))}</li>`)}
          </ul>`,
    )}
    ${usageSections(usage)}
    <h2>Kill switches in force</h2>
    ${gated(kills, (k) => {
      const mine = k.kills.filter((x) => x.target === a.name || x.target.startsWith(`${a.name}@`));
      return mine.length
        ? html`<ul>
            ${mine.map((x) => html`<li>${x.scope} ${x.target} since ${isoTime(x.setAt)}: ${x.reason} (<a href="/kills#${x.id}">lift</a>)</li>`)}
          </ul>`
        : html`<p>None.</p>`;
    })}
    <h2>Flags</h2>
    ${gated(
      flags,
      (f) =>
        html`<ul>
          ${f.flags.map((x) => html`<li>${x.environment}: ${x.enabled ? `on for ${x.percentage}%` : 'off'}${x.groups.length ? `, groups ${x.groups.join(', ')}` : ''}</li>`)}
        </ul>`,
    )}
    <h2>Alerts fired</h2>
    ${gated(
      firings,
      (f) =>
        html`<ul>
          ${f.firings.map((x) => html`<li>${isoTime(x.firedAt)} ${x.rule}: ${x.summary}</li>`)}
        </ul>`,
    )}
    <h2>Recent decisions (masked)</h2>
    ${gated(
      decisions,
      (d) =>
        html`<table>
          <caption>
            Last ${d.items.length} decisions
          </caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Action</th>
              <th scope="col">Subject</th>
              <th scope="col">Resource</th>
              <th scope="col">Effect</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            ${d.items.map(
              (x) =>
                html`<tr>
                  <td>${isoTime(x.time)}</td>
                  <td>${x.action}</td>
                  <td>${x.subject}</td>
                  <td>${x.resource.type}:${x.resource.id}</td>
                  <td>${x.effect}</td>
                  <td>${x.reason}</td>
                </tr>`,
            )}
          </tbody>
        </table>`,
    )}
    <h2>Lifecycle history (newest first)</h2>
    ${gated(
      history,
      (h) =>
        html`<ul>
          ${h.entries.map((e) => html`<li>${e.time}: <code>${JSON.stringify((e.event as { data?: unknown } | null)?.data ?? null)}</code></li>`)}
        </ul>`,
    )}`;
  const done = ctx.c.req.query('done');
  if (!notice && done)
    notice = {
      kind: 'ok',
      text: `${done === 'rollback' ? 'Rolled back' : 'Released'}: now in force ${a.inForce === null ? 'none' : `v${a.inForce}`}.`,
    };
  return render(ctx, { title: `App ${a.name}`, nav: 'apps', notice }, body, status);
}

export function registerAppPage(register: Register): void {
  register('get', '/apps/:app', (ctx) => appPage(ctx));
  for (const action of ['release', 'rollback'] as const)
    register('post', `/apps/:app/${action}`, async (ctx) => {
      const name = ctx.c.req.param('app') ?? '';
      const reason = ctx.form.reason ?? '';
      const r = await ctx.api.post(
        `/api/v1/apps/${encodeURIComponent(name)}/${action}`,
        action === 'release' ? { canary: ctx.form.mode === 'canary', reason } : { reason },
      );
      if (!r.ok) return appPage(ctx, { kind: 'error', text: r.error ?? 'refused' }, r.status);
      return seeOther(ctx, `/apps/${encodeURIComponent(name)}?done=${action}`);
    });
}
