// The one home of every risk factor's words: what it means, the reason and fix `app explain` prints, and the guide anchor.
import { CLASSIFICATIONS } from '../catalog/catalog-schema.js';

/** Values a factor's reason and fix are built from; the guide passes placeholders such as `<dataset>`. */
export type FactorParams = Record<string, string>;

export interface RiskFactorText {
  /** Anchor-safe kind: a factor id up to its first `:` (dataset classifications share `dataset.classification`). */
  kind: string;
  title: string;
  /** What the factor means, in general (the guide's first paragraph). */
  means: string;
  /** The sentence `app explain` prints as the factor's reason. */
  reason: (p: FactorParams) => string;
  /** The sentence `app explain` prints as the fix (risk scoring adds the points saved). */
  fix: (p: FactorParams) => string;
  /** Placeholders the guide shows the reason and fix with. */
  example: FactorParams;
}

const code = (kind: string, title: string, reason: string, means: string): RiskFactorText => ({
  kind: `code.${kind}`,
  title,
  means: `${means} Each place is listed as a finding with its file, line and its own fix.`,
  reason: (p) => `${reason} (${p.places}).`,
  fix: (p) => p.fix,
  example: { places: '2 places: main.js:3, main.js:9', fix: 'the fix of the first finding' },
});

export const RISK_FACTOR_TEXTS: readonly RiskFactorText[] = [
  {
    kind: 'dataset.classification',
    title: 'Dataset classification',
    means: `Reading a dataset adds points by its catalog classification (${CLASSIFICATIONS.join(', ')}). pii and regulated data also need the dataset owner's sign-off, regulated data legal's too.`,
    reason: (p) => `Reads ${p.dataset}, classified ${p.cls}${p.owner ? `; its owner ${p.owner} must sign off` : ''}.`,
    fix: (p) => `Use a de-identified or lower-classified dataset if "${p.purpose}" does not need ${p.cls} data`,
    example: { dataset: '<dataset>', cls: 'pii', owner: '<owner>', purpose: '<spec.purpose>' },
  },
  {
    kind: 'dataset.all-columns',
    title: 'Every column of a sensitive dataset',
    means: 'An app that lists no columns for a confidential, pii or regulated dataset may read all of them.',
    reason: (p) => `Reads every column of ${p.dataset}${p.tagged ? `, including ${p.tagged}` : ''}.`,
    fix: (p) => `List only the columns the app needs in spec.data[${p.i}].columns`,
    example: { dataset: '<dataset>', tagged: '<tagged columns>', i: '<n>' },
  },
  {
    kind: 'column.pii',
    title: 'A column tagged as personal data',
    means: 'Each listed column the catalog tags pii, sensitive, phi, pci or secret adds points.',
    reason: (p) => `Reads the ${p.column} column of ${p.dataset}, tagged ${p.tags}.`,
    fix: (p) => `Drop the ${p.column} column from spec.data[${p.i}].columns if the app does not need it`,
    example: { column: '<column>', dataset: '<dataset>', tags: '<tags>', i: '<n>' },
  },
  {
    kind: 'dataset.write',
    title: 'Write access to a dataset',
    means: 'Writing lets a wrong model answer change stored data; pii and regulated datasets need their owner.',
    reason: (p) => `Writes to ${p.dataset}; a bad model answer could change stored data.`,
    fix: (p) => `Use access: read if the app only needs to read ${p.dataset}`,
    example: { dataset: '<dataset>' },
  },
  {
    kind: 'region.dataset',
    title: 'Data leaves its region',
    means: 'Non-public data held in one region and processed by an app in another needs legal review.',
    reason: (p) => `Moves data from ${p.dataset} in ${p.from} to an app running in ${p.region}.`,
    fix: (p) => `Run the app in ${p.from} (spec.region) or use a dataset held in ${p.region}`,
    example: { dataset: '<dataset>', from: '<dataset region>', region: '<spec.region>' },
  },
  {
    kind: 'connector.sensitive',
    title: 'Sensitive connector',
    means: 'Connectors marked sensitive reach systems security wants to review each use of.',
    reason: (p) => `Uses ${p.connector}, a connector marked sensitive.`,
    fix: () => `Use a non-sensitive connector if one serves the purpose`,
    example: { connector: '<connector>' },
  },
  {
    kind: 'connector.unapproved',
    title: 'Unapproved connector',
    means: 'A connector security has not approved yet needs a security reviewer.',
    reason: (p) => `Uses ${p.connector}, a connector security has not approved yet.`,
    fix: (p) => `Use an approved connector instead, or ask security to approve ${p.connector}`,
    example: { connector: '<connector>' },
  },
  {
    kind: 'region.connector',
    title: 'Connector in another region',
    means: 'Data sent through a connector hosted in another region crosses a border; legal reviews it.',
    reason: (p) => `Sends data through ${p.connector} in ${p.from} from an app in ${p.region}.`,
    fix: (p) => `Use a connector in ${p.region}`,
    example: { connector: '<connector>', from: '<connector region>', region: '<spec.region>' },
  },
  {
    kind: 'egress.unapproved',
    title: 'Egress to a host no approved connector covers',
    means: 'Each host in spec.egress that no approved connector covers (wildcards never are) needs security review.',
    reason: (p) => `Sends requests to ${p.host}, which no approved connector covers: data could leave the company.`,
    fix: (p) => `Remove ${p.host} from spec.egress, or reach it through an approved connector`,
    example: { host: '<host>' },
  },
  {
    kind: 'model.risk',
    title: 'Model risk rating',
    means: 'Each model adds points by the risk the model registry rates it (low adds none).',
    reason: (p) => `Uses ${p.model}, rated ${p.risk} risk in the model registry.`,
    fix: () => `Use a model rated low risk if it does the job`,
    example: { model: '<model>', risk: '<risk>' },
  },
  {
    kind: 'region.model',
    title: 'Model in another region',
    means: 'Prompts carrying non-public data sent to a model hosted in another region need legal review.',
    reason: (p) => `Sends prompts with company data to ${p.model} in ${p.from} from an app in ${p.region}.`,
    fix: (p) => `Use a model hosted in ${p.region}`,
    example: { model: '<model>', from: '<model region>', region: '<spec.region>' },
  },
  {
    kind: 'environment',
    title: 'Environment',
    means: 'staging and prod reach real users and data, so they add points; dev adds none.',
    reason: (p) => `Runs in ${p.environment}, where it reaches real users and data.`,
    fix: () => `Try it in dev first`,
    example: { environment: '<spec.environment>' },
  },
  {
    kind: 'budget.missing',
    title: 'No daily cost cap',
    means: 'An app that calls models without spec.budgets.dailyCostUsd has no ceiling on spend.',
    reason: () => 'Calls models with no daily cost cap.',
    fix: () => 'Set spec.budgets.dailyCostUsd',
    example: {},
  },
  code(
    'dynamic-code',
    'Code built at run time',
    'The code builds and runs code at run time, which review cannot see',
    'eval, new Function, dynamic import() and string timers run code no reviewer saw.',
  ),
  code(
    'ambient-api',
    'Host APIs',
    'The code reaches for process, file system, network or other host APIs',
    'Micro-apps reach data, network and models only through ctx; Node built-ins and globals such as process are refused.',
  ),
  code(
    'syntax-error',
    'Code that does not parse',
    'The code does not parse, so it cannot be reviewed',
    'A file with a syntax error cannot be analysed, so it counts as risky until fixed.',
  ),
  code(
    'missing-file',
    'Missing code file',
    'A code file named by the manifest is missing',
    'spec.runtime names a file that was not submitted.',
  ),
  code(
    'undeclared-host',
    'Code calls undeclared hosts',
    'The code calls hosts the manifest does not declare',
    'URLs in the code must be hosts listed in spec.egress.',
  ),
  code(
    'undeclared-model',
    'Code names undeclared models',
    'The code names models the manifest does not declare',
    'Models the code names must be in spec.models.',
  ),
  code(
    'undeclared-dataset',
    'Code names undeclared datasets',
    'The code names datasets the manifest does not declare',
    'Datasets the code names must be in spec.data.',
  ),
  {
    kind: 'pii.in-text',
    title: 'Personal data in prompts or code',
    means: 'Personal data written into a prompt, the manifest or a code string is sent with every request.',
    reason: (p) => `Prompts or code contain personal data (${p.where}).`,
    fix: (p) => p.fix,
    example: { where: '<file:line or field>', fix: 'the fix of the first finding' },
  },
  {
    kind: 'policy.warning',
    title: 'Policy warning',
    means: 'An admission policy allowed the app but attached a warning.',
    reason: (p) => `Policy warning: ${p.warning}`,
    fix: () => 'Address the warning (`gatehouse decisions list --app <app>` shows the decision)',
    example: { warning: '<warning>' },
  },
  {
    kind: 'policy.require_approval',
    title: 'A policy asks for approval',
    means: 'An admission policy requires a human reviewer; it adds no points but lifts a low tier to medium.',
    reason: (p) => `An admission policy requires human approval: ${p.reason}`,
    fix: () => 'Change what the policy flags, or ask a reviewer',
    example: { reason: '<policy message>' },
  },
];

const BY_KIND = new Map(RISK_FACTOR_TEXTS.map((t) => [t.kind, t]));

/** The text entry for a kind; throws on a kind not defined here (a programming error, caught by tests). */
export function factorText(kind: string): RiskFactorText {
  const t = BY_KIND.get(kind);
  if (!t) throw new Error(`no risk factor text for '${kind}'`);
  return t;
}

/** The kind of a factor id: `dataset.pii:customers` → `dataset.classification`, `egress.unapproved:x` → itself. */
export function factorKind(id: string): string {
  const head = id.split(':')[0];
  if ((CLASSIFICATIONS as readonly string[]).some((c) => head === `dataset.${c}`)) return 'dataset.classification';
  return head;
}

/** The guide's anchor for a factor id (`factor-<kind>`), or undefined for an unknown kind. */
export function factorAnchor(id: string): string | undefined {
  const kind = factorKind(id);
  return BY_KIND.has(kind) ? `factor-${kind}` : undefined;
}

/** The guide anchor for a finding: code rules and PII findings have factors; others link to the findings section. */
export function findingAnchor(rule: string, check: string): string {
  if (check === 'pii') return 'factor-pii.in-text';
  return factorAnchor(`code.${rule}`) ?? 'findings';
}
