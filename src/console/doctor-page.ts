// Readiness: `gatehouse doctor`'s report (GET /api/v1/doctor) as a page: each checklist item with pass/warn/fail, why,
// and the command or setting that fixes it. Read through the API, so who may see it is the route's rule.
import { html } from 'hono/html';
import type { DoctorReport } from '../doctor/doctor-routes.js';
import type { ConsoleCtx, Register } from './console-context.js';
import { render } from './console-context.js';

async function doctorPage(ctx: ConsoleCtx): Promise<Response> {
  const r = await ctx.api.get<DoctorReport>('/api/v1/doctor');
  if (!r.ok)
    return render(
      ctx,
      { title: 'Readiness', nav: 'doctor', notice: { kind: 'error', text: r.error ?? '' } },
      html``,
      r.status,
    );
  const { items, summary } = r.body;
  const body = html`<p>
      Score <strong>${summary.score}</strong>: ${summary.pass} pass, ${summary.warn} warn, ${summary.fail} fail. The
      same report as <code>gatehouse doctor</code>; fix the fails first.
    </p>
    <table>
      <caption>
        Governance readiness checklist
      </caption>
      <thead>
        <tr>
          <th scope="col">Item</th>
          <th scope="col">Status</th>
          <th scope="col">Why</th>
          <th scope="col">Fix</th>
        </tr>
      </thead>
      <tbody>
        ${items.map(
          (i) =>
            html`<tr id="doctor-${i.id}">
              <th scope="row">${i.title}</th>
              <td class="${i.status}">${i.status}</td>
              <td>${i.why}</td>
              <td>${i.status === 'pass' ? '—' : html`<code>${i.fix}</code>`}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  return render(ctx, { title: 'Readiness', nav: 'doctor' }, body);
}

export function registerDoctorPage(register: Register): void {
  register('get', '/doctor', doctorPage);
}
