// Guides for creators: the manifest's fields (from its JSON Schema), each risk factor with what it means and how to
// lower it (the same texts `app explain` prints), and the starter templates with a copy button.
import { html } from 'hono/html';
import { z } from 'zod';
import { manifestSchema } from '../apps/manifest-schema.js';
import { RISK_FACTOR_TEXTS } from '../admission/risk-factor-texts.js';
import { TEMPLATES, templateFiles, type TemplateFile } from '../admission/app-templates.js';
import type { ConsoleCtx, Register } from './console-context.js';
import { render } from './console-context.js';

export interface ManifestField {
  path: string;
  type: string;
  /** Required within its parent object (an array item's fields: within each item). */
  required: boolean;
  /** Allowed values, limits, defaults and patterns, as the schema states them. */
  rule: string;
}

type Json = Record<string, unknown>;

function typeOf(s: Json): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
  if (Array.isArray(s.anyOf)) return (s.anyOf as Json[]).map(typeOf).join(' | ');
  return String(s.type ?? 'any');
}

function ruleOf(s: Json): string {
  const out: string[] = [];
  for (const [k, label] of [
    ['minLength', 'min length'],
    ['maxLength', 'max length'],
    ['minimum', 'min'],
    ['maximum', 'max'],
    ['exclusiveMinimum', 'more than'],
    ['pattern', 'pattern'],
  ] as const)
    if (s[k] !== undefined && s[k] !== Number.MAX_SAFE_INTEGER) out.push(`${label} ${String(s[k])}`);
  if (s.default !== undefined) out.push(`default ${JSON.stringify(s.default)}`);
  return out.join('; ');
}

/** Flattens the manifest's JSON Schema into one row per field (`spec.data[].columns`), depth first. */
export function manifestFields(schema: Json, prefix = ''): ManifestField[] {
  const rows: ManifestField[] = [];
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const req = new Set((schema.required as string[] | undefined) ?? []);
  for (const [name, sub] of Object.entries(props)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const isReq = req.has(name);
    const items = sub.type === 'array' ? ((sub.items ?? {}) as Json) : undefined;
    const shown = items && items.type !== 'object' ? `${typeOf(items)}[]` : typeOf(sub);
    rows.push({ path, type: shown, required: isReq, rule: ruleOf(items && items.type !== 'object' ? items : sub) });
    if (sub.type === 'object' && sub.properties) rows.push(...manifestFields(sub, path));
    if (items?.type === 'object') rows.push(...manifestFields(items, `${path}[]`));
  }
  return rows;
}

let fieldsCache: ManifestField[] | undefined;
let templatesCache: { name: string; files: TemplateFile[] }[] | undefined;

const manifestSection = () => {
  fieldsCache ??= manifestFields(z.toJSONSchema(manifestSchema, { io: 'input' }) as Json);
  return html`<section aria-labelledby="manifest">
    <h2 id="manifest">Write a manifest</h2>
    <p>
      A manifest (<code>app.yaml</code>) declares everything the app needs; what it does not declare, it cannot do.
      Start from a template below (<code>gatehouse app init my-app --template chatbot</code>), edit it, then
      <code>gatehouse app submit my-app/app.yaml</code> and read the score with
      <code>gatehouse app explain my-app</code>. The fields, from the schema the server validates with (<a
        href="/api/v1/schema/manifest"
        >JSON Schema</a
      >):
    </p>
    <table>
      <caption>
        Manifest fields
      </caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Type</th>
          <th scope="col">Required (in its parent)</th>
          <th scope="col">Rules</th>
        </tr>
      </thead>
      <tbody>
        ${fieldsCache.map(
          (f) =>
            html`<tr>
              <td><code>${f.path}</code></td>
              <td>${f.type}</td>
              <td>${f.required ? 'yes' : ''}</td>
              <td>${f.rule}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
};

const factorsSection = () =>
  html`<section aria-labelledby="risk-factors">
    <h2 id="risk-factors">Risk factors and how to lower them</h2>
    <p>
      Each factor adds points to the risk score (the weights are in the approvals configuration); the tier decides who
      must review. <code>gatehouse app explain</code> and the app page print the same reason and fix, with your app's
      names in place of the placeholders.
    </p>
    ${RISK_FACTOR_TEXTS.map(
      (t) =>
        html`<section class="factor" aria-labelledby="factor-${t.kind}">
          <h3 id="factor-${t.kind}">${t.title} <code>${t.kind}</code></h3>
          <p>${t.means}</p>
          <p><strong>Explain says:</strong> ${t.reason(t.example)}</p>
          <p><strong>How to lower it:</strong> ${t.fix(t.example)}</p>
        </section>`,
    )}
    <h3 id="findings">Other findings</h3>
    <p>
      Findings that add no factor of their own (an import of an unlisted file or of a package) carry their fix in the
      finding itself; fix them before asking for review.
    </p>
  </section>`;

const templatesSection = () => {
  templatesCache ??= TEMPLATES.map((name) => ({ name, files: templateFiles(name) }));
  return html`<section aria-labelledby="templates">
    <h2 id="templates">Templates</h2>
    <p>
      Low risk in dev, so they are approved automatically there.
      <code>gatehouse app init &lt;dir&gt; --template &lt;name&gt;</code> fills in <code>__NAME__</code> and
      <code>__OWNER__</code>; when you copy from here, replace them.
    </p>
    ${templatesCache.map(
      (t) =>
        html`<h3 id="template-${t.name}">${t.name}</h3>
          ${t.files.map((f) => {
            const id = `tpl-${t.name}-${f.path.replace(/[^\w-]/g, '-')}`;
            return html`<p>
                <code>${f.path}</code>
                <button type="button" data-copy="${id}">Copy ${t.name}/${f.path}</button>
                <span class="copied" role="status" aria-live="polite"></span>
              </p>
              <pre id="${id}">${f.content}</pre>`;
          })}`,
    )}
  </section>`;
};

async function guidesPage(ctx: ConsoleCtx): Promise<Response> {
  const body = html`<nav aria-label="On this page">
      <a href="#manifest">Write a manifest</a> · <a href="#risk-factors">Risk factors</a> ·
      <a href="#templates">Templates</a>
    </nav>
    ${manifestSection()} ${factorsSection()} ${templatesSection()}`;
  return render(ctx, { title: 'Guides for creators', nav: 'guides' }, body);
}

export function registerGuidesPage(register: Register): void {
  register('get', '/guides', guidesPage);
}
