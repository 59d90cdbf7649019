// CLI: `gatehouse catalog apply <file|dir>` and `gatehouse catalog list [kind]`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { InvalidInputError } from '../core/errors.js';
import { commandGroup } from '../cli/command-group.js';
import { readInputFile, type CliContext } from '../cli/cli-context.js';
import type { CatalogDoc } from './catalog-schema.js';
import type { ApplyOutcome } from './catalog-service.js';

/** YAML files named by a path: the file itself, or every *.yaml / *.yml in a folder (sorted). */
export function yamlFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InvalidInputError(`No such file or folder: ${path}`, [{ path, message: 'check the path' }]);
  }
  if (!st.isDirectory()) return [path];
  const files = readdirSync(path)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(path, f));
  if (!files.length) throw new InvalidInputError(`No .yaml files in ${path}`);
  return files;
}

export function registerCatalogCommands(program: Command, cli: CliContext): void {
  const catalog = commandGroup(program, 'catalog', 'datasets, connectors, models and users');
  catalog
    .command('apply <path>')
    .description('apply catalog YAML (a file or a folder of files; multi-document; idempotent)')
    .action(async (path: string) => {
      const files = yamlFiles(path).map((f) => ({ name: f, content: readInputFile(f) }));
      const r = await cli.api().request<{ results: ApplyOutcome[] }>('POST', '/api/v1/catalog/apply', { files });
      cli.print(r, () => r.results.map((o) => `${o.kind}/${o.name} ${o.action}`).join('\n') || 'nothing to apply');
    });
  catalog
    .command('discover <source>')
    .description("propose Dataset YAML from a DataSource's tables; sensitive-looking columns are tagged for review")
    .action(async (source: string) => {
      const r = await cli
        .api()
        .request<{ documents: unknown[] }>(
          'POST',
          `/api/v1/catalog/datasources/${encodeURIComponent(source)}/discover`,
        );
      cli.print(r, () => r.documents.map((d) => stringify(d)).join('---\n') || '(no tables)');
    });
  catalog
    .command('list [kind]')
    .description('list catalog entries (kind: dataset, datasource, connector, model, user)')
    .action(async (kind?: string) => {
      const r = await cli
        .api()
        .request<{ items: CatalogDoc[] }>('GET', `/api/v1/catalog${kind ? `?kind=${encodeURIComponent(kind)}` : ''}`);
      cli.print(
        r,
        () =>
          r.items.map((d) => `${d.kind.padEnd(10)} ${d.metadata.name.padEnd(24)} ${describe(d)}`).join('\n') ||
          '(empty)',
      );
    });
}

function describe(d: CatalogDoc): string {
  switch (d.kind) {
    case 'Dataset':
      return `${d.spec.classification} ${d.spec.region} owner=${d.metadata.owner}`;
    case 'Connector':
      return `${d.spec.kind} sensitive=${d.spec.sensitive} approved=${d.spec.approved} owner=${d.metadata.owner}`;
    case 'Model':
      return `${d.spec.provider} ${d.spec.region} risk=${d.spec.risk} $${d.spec.pricing.inputPerMTok}/$${d.spec.pricing.outputPerMTok} per MTok${d.spec.deployments ? ` deployments=${d.spec.deployments.map((x) => `${x.id}@${x.region}`).join(',')}` : ''}`;
    case 'User':
      return `roles=${d.spec.roles.join(',') || '-'} groups=${d.spec.groups.join(',') || '-'}`;
    case 'DataSource':
      return `${d.spec.engine} ${d.spec.host ?? ''}/${d.spec.database} ${d.spec.region} owner=${d.metadata.owner}`;
    case 'TrustPolicy':
      return `${d.spec.issuer} sub=${d.spec.subject} as=${d.spec.actAs.user} [${d.spec.allowedActions.join(',')}]`;
  }
}
