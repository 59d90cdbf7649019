// Policies and alerts: the active bundle revision with its policy files (CEL), stored revisions, alert rules and
// their firing history, all read through the policy and telemetry APIs.
import { html } from 'hono/html';
import type { AlertRuleDoc } from '../telemetry/alert-rule-schema.js';
import type { RevisionInfo, StoredRevision } from '../policy/policy-store.js';
import type { ConsoleCtx, Register } from './console-context.js';
import { render } from './console-context.js';
import { isoTime } from './console-layout.js';

interface Firing {
  rule: string;
  app?: string;
  firedAt: number;
  summary: string;
}

async function policiesPage(ctx: ConsoleCtx): Promise<Response> {
  const [list, rules, firings] = await Promise.all([
    ctx.api.get<{ active: string | null; policies: number; revisions: RevisionInfo[] }>('/api/v1/policies'),
    ctx.api.get<{ rules: AlertRuleDoc[] }>('/api/v1/alerts'),
    ctx.api.get<{ firings: Firing[] }>('/api/v1/alerts/history', { limit: '50' }),
  ]);
  const active = list.ok && list.body.active ? list.body.active : undefined;
  const rev = active
    ? await ctx.api.get<StoredRevision>(`/api/v1/policies/revisions/${encodeURIComponent(active)}`)
    : undefined;
  const body = html`<p><a href="/policies/simulate">Simulate a pasted policy against recorded decisions</a></p>
    <h2>Active bundle</h2>
    <p>
      ${active ? html`Revision <code>${active}</code>, ${list.ok ? list.body.policies : 0} policies.` : 'No bundle active.'}
    </p>
    ${
      rev?.ok
        ? rev.body.files.map(
            (f) =>
              html`<h3>${f.path}</h3>
                <pre>${f.content}</pre>`,
          )
        : ''
    }
    <h2>Revisions</h2>
    <table>
      <caption>
        Stored policy bundle revisions
      </caption>
      <thead>
        <tr>
          <th scope="col">Revision</th>
          <th scope="col">By</th>
          <th scope="col">At</th>
          <th scope="col">Policies</th>
          <th scope="col">Active</th>
        </tr>
      </thead>
      <tbody>
        ${(list.ok ? list.body.revisions : []).map(
          (r) =>
            html`<tr>
              <td><code>${r.revision}</code></td>
              <td>${r.createdBy}</td>
              <td>${isoTime(r.createdAt)}</td>
              <td>${r.policies.join(', ')}</td>
              <td>${r.active ? 'yes' : ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Alert rules</h2>
    <table>
      <caption>
        Alert rules in force
      </caption>
      <thead>
        <tr>
          <th scope="col">Rule</th>
          <th scope="col">Condition</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        ${(rules.ok ? rules.body.rules : []).map(
          (r) =>
            html`<tr>
              <td>${r.metadata.name}</td>
              <td><code>${JSON.stringify(r.spec.condition)}</code></td>
              <td>${r.spec.actions.map((a) => Object.keys(a)[0]).join(', ')}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Alert firings</h2>
    ${
      firings.ok
        ? html`<ul>
            ${firings.body.firings.map((f) => html`<li>${isoTime(f.firedAt)} ${f.rule}${f.app ? ` (${f.app})` : ''}: ${f.summary}</li>`)}
          </ul>`
        : html`<p class="why">Not shown: ${firings.error}</p>`
    }`;
  return render(ctx, { title: 'Policies and alerts', nav: 'policies' }, body);
}

export function registerPoliciesPage(register: Register): void {
  register('get', '/policies', policiesPage);
}
