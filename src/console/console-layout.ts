// The page shell every console page shares: head, navigation, the signed-in user, sign-out, and a notice area.
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Principal } from '../identity/principal.js';
import { CSRF_FIELD } from './console-session.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface PageFrame {
  title: string;
  principal?: Principal;
  csrf?: string;
  /** Which nav entry is current. */
  nav?:
    'apps' | 'catalog' | 'flows' | 'approvals' | 'kills' | 'audit' | 'policies' | 'dashboards' | 'doctor' | 'guides';
  notice?: { kind: 'ok' | 'error'; text: string };
}

const NAV: { key: NonNullable<PageFrame['nav']>; href: string; label: string }[] = [
  { key: 'apps', href: '/apps', label: 'Apps' },
  { key: 'catalog', href: '/catalog/models', label: 'Catalog' },
  { key: 'flows', href: '/flows', label: 'Data flows' },
  { key: 'approvals', href: '/approvals', label: 'Approvals' },
  { key: 'kills', href: '/kills', label: 'Kill switches' },
  { key: 'audit', href: '/audit', label: 'Audit' },
  { key: 'dashboards', href: '/dashboards', label: 'Dashboards' },
  { key: 'policies', href: '/policies', label: 'Policies' },
  { key: 'doctor', href: '/doctor', label: 'Readiness' },
  { key: 'guides', href: '/guides', label: 'Guides' },
];

export function page(frame: PageFrame, body: Html): Html {
  const p = frame.principal;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        ${frame.csrf ? html`<meta name="csrf-token" content="${frame.csrf}" />` : ''}
        <title>${frame.title} · Gatehouse</title>
        <link rel="stylesheet" href="/assets/console.css" />
        <script src="/assets/console.js" defer></script>
      </head>
      <body>
        <header>
          <a class="brand" href="/">Gatehouse</a>
          ${
            p
              ? html`<nav aria-label="Main">
                    <ul>
                      ${NAV.map(
                        (n) =>
                          html`<li>
                            <a href="${n.href}" ${n.key === frame.nav ? html`aria-current="page"` : ''}>${n.label}</a>
                          </li>`,
                      )}
                    </ul>
                  </nav>
                  <form method="post" action="/sign-out" class="who">
                    <span>${p.user} (${p.roles.join(', ') || 'no roles'})</span>
                    <input type="hidden" name="${CSRF_FIELD}" value="${frame.csrf ?? ''}" />
                    <button type="submit">Sign out</button>
                  </form>`
              : ''
          }
        </header>
        <main>
          <h1>${frame.title}</h1>
          ${
            frame.notice
              ? html`<p
                  class="notice ${frame.notice.kind}"
                  role="${frame.notice.kind === 'error' ? 'alert' : 'status'}"
                >
                  ${frame.notice.text}
                </p>`
              : ''
          }
          ${body}
        </main>
      </body>
    </html>`;
}

/** Hidden CSRF field for a form. */
export function csrfField(csrf: string): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${csrf}" />`;
}

export function isoTime(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined || ms === '') return '—';
  const d = new Date(typeof ms === 'number' ? ms : String(ms));
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString().replace('.000Z', 'Z');
}
