// Doctor checks on what is governed: catalog, apps, policy bundle, egress scope, approval SLAs.
import { item, list, type DoctorFacts, type DoctorItem } from './doctor-item.js';

export function catalog(f: DoctorFacts): DoctorItem {
  const users = new Set(f.users.map((u) => u.name));
  const noOwner = f.datasets.filter((d) => !d.owner || !users.has(d.owner)).map((d) => d.name);
  const noClass = f.datasets.filter((d) => !d.classification).map((d) => d.name);
  const untagged = f.datasets
    .filter((d) => (d.classification === 'pii' || d.classification === 'regulated') && d.taggedColumns === 0)
    .map((d) => d.name);
  const title = 'Inventory and classification: every dataset has an owner and a classification';
  if (f.datasets.length === 0)
    return item(
      'catalog',
      title,
      'fail',
      'The catalog has no datasets.',
      'gatehouse catalog discover <datasource> or gatehouse catalog apply <dir>',
    );
  if (noOwner.length || noClass.length)
    return item(
      'catalog',
      title,
      'fail',
      [
        noOwner.length ? `owner missing or not a catalog user: ${list(noOwner)}` : '',
        noClass.length ? `no classification: ${list(noClass)}` : '',
      ]
        .filter(Boolean)
        .join('; '),
      'set metadata.owner (a User entry) and spec.classification, then gatehouse catalog apply <file>',
    );
  if (untagged.length)
    return item(
      'catalog',
      title,
      'warn',
      `pii/regulated datasets with no tagged column: ${list(untagged)}`,
      'tag sensitive columns (spec.columns[].tags), or gatehouse catalog discover',
    );
  return item('catalog', title, 'pass', `${f.datasets.length} datasets, each with an owner and a classification`);
}

export function apps(f: DoctorFacts): DoctorItem {
  const users = new Set(f.users.map((u) => u.name));
  const title = 'Every app has an owner and a version in force';
  const noOwner = f.apps.filter((a) => !a.owner || !users.has(a.owner)).map((a) => a.name);
  const notInForce = f.apps
    .filter((a) => a.inForce === undefined)
    .map((a) => `${a.name} (${a.latestState ?? 'no version'})`);
  if (noOwner.length)
    return item(
      'apps',
      title,
      'fail',
      `owner missing or not a catalog user: ${list(noOwner)}`,
      'set metadata.owner to a catalog User and resubmit: gatehouse app submit <app.yaml>',
    );
  if (notInForce.length)
    return item(
      'apps',
      title,
      'warn',
      `no version in force: ${list(notInForce)}`,
      'gatehouse approvals list --state pending (approve or reject), then gatehouse app release <app>',
    );
  return item('apps', title, 'pass', f.apps.length ? `${f.apps.length} apps, each owned and in force` : 'no apps yet');
}

export function policy(f: DoctorFacts): DoctorItem {
  const p = f.policy;
  const title = 'Policy engine: a bundle is active and its tests pass';
  if (p.loadError)
    return item('policy', title, 'fail', p.loadError, 'gatehouse policy apply <dir> with a bundle that compiles');
  if (p.revision === 'none' || p.policies === 0)
    return item(
      'policy',
      title,
      'fail',
      'No policy bundle is active: only the deny-by-default scope decides.',
      'gatehouse policy apply examples/policies',
    );
  if (p.failed.length)
    return item(
      'policy',
      title,
      'fail',
      `${p.failed.length} of ${p.tests} policy tests fail now: ${list(p.failed)}`,
      'gatehouse policy test <dir>, fix, then gatehouse policy apply <dir>',
    );
  if (p.tests === 0)
    return item(
      'policy',
      title,
      'warn',
      `revision ${p.revision} has ${p.policies} policies and no tests`,
      'add <policy>.test.yaml cases, then gatehouse policy apply <dir>',
    );
  return item('policy', title, 'pass', `revision ${p.revision}: ${p.policies} policies, ${p.tests} tests passing`);
}

export function egress(f: DoctorFacts): DoctorItem {
  const title = 'Egress deny-by-default in force';
  if (f.openEgress.length)
    return item(
      'egress',
      title,
      'fail',
      `apps in force allow any host: ${list(f.openEgress)}`,
      "list the hosts each app needs in spec.egress (no '*'), resubmit and release",
    );
  return item(
    'egress',
    title,
    'pass',
    'govern() refuses every host an app did not declare (scope step); no app declares a wildcard',
  );
}

export function approvals(f: DoctorFacts): DoctorItem {
  const title = 'Approval SLAs configured and none overdue';
  const sla = Object.entries(f.approvals.slaHours)
    .map(([t, h]) => `${t} ${h}h`)
    .join(', ');
  const over = f.approvals.overdue.map(
    (o) => `${o.id} (${o.app} v${o.version}, due ${new Date(o.dueAt).toISOString()})`,
  );
  if (over.length)
    return item(
      'approvals',
      title,
      'fail',
      `overdue: ${list(over, 3)}`,
      'gatehouse approvals list --state pending, then approve or reject (gatehouse approvals approve <id>)',
    );
  return item('approvals', title, 'pass', `SLAs ${sla}; nothing overdue`);
}
