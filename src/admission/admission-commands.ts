// CLI: `gatehouse app explain <app> [version]` (risk factors and approval) and `gatehouse app init --template` (starter apps).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { commandGroup } from '../cli/command-group.js';
import type { CliContext } from '../cli/cli-context.js';
import { InvalidInputError } from '../core/errors.js';
import { repoPath } from '../core/repo-root.js';
import { NAME_RE } from '../catalog/names.js';
import type { Explanation } from './admission-service.js';

import { TEMPLATES } from './app-templates.js';

export { TEMPLATES };

export function formatExplanation(e: Explanation): string {
  const a = e.approval;
  return [
    `${e.app} v${e.version}: risk ${e.risk.score}/100 (${e.risk.tier}); now ${e.currentState}`,
    ...(e.risk.factors.length
      ? e.risk.factors.map(
          (f) =>
            `  +${String(f.points).padStart(2)}  ${f.reason}${f.roles.length ? ` [${f.roles.join(', ')}]` : ''}\n        fix: ${f.fix}`,
        )
      : ['  no risk factors']),
    ...(e.findings.length
      ? [
          'findings:',
          ...e.findings.map(
            (f) =>
              `  [${f.severity}] ${f.file ?? ''}${f.line ? `:${f.line}` : ''}${f.path ? ` ${f.path}` : ''} ${f.message}\n        fix: ${f.fix}`,
          ),
        ]
      : []),
    `policy: ${e.decision.effect} (${e.decision.reason})`,
    `approval ${a.id}: ${a.state}${a.auto ? ' by the system' : ''}${a.requiredRoles.length ? `; reviewers: ${a.requirements.map((r) => `${r.user ? `${r.user} (${r.role})` : r.role}${r.filledBy ? ` ✓ ${r.filledBy}` : ''}`).join(', ')}` : ''}`,
    ...(a.comment && !a.auto ? [`  ${a.state} by ${a.decidedBy}: ${a.comment}`] : []),
  ].join('\n');
}

/** Writes a template's manifest and code into `dir` with the app name and owner filled in; refuses to overwrite. */
export function initTemplate(template: string, dir: string, name: string, owner: string): string[] {
  if (!(TEMPLATES as readonly string[]).includes(template))
    throw new InvalidInputError(`Unknown template '${template}'; choose one of: ${TEMPLATES.join(', ')}.`, [
      { path: '--template', message: `one of ${TEMPLATES.join(', ')}` },
    ]);
  if (!NAME_RE.test(name))
    throw new InvalidInputError(
      `App name '${name}' is not valid: use 1-63 lowercase letters, digits, ".", "_" or "-"; pass --name.`,
      [{ path: '--name', message: 'invalid app name' }],
    );
  const src = repoPath('templates', template);
  const files = readdirSync(src).sort();
  const clash = files.filter((f) => existsSync(join(dir, f)));
  if (clash.length)
    throw new InvalidInputError(`${dir} already has ${clash.join(', ')}; pick an empty folder.`, [
      { path: dir, message: 'folder not empty' },
    ]);
  mkdirSync(dir, { recursive: true });
  for (const f of files)
    writeFileSync(
      join(dir, f),
      readFileSync(join(src, f), 'utf8').replaceAll('__NAME__', name).replaceAll('__OWNER__', owner),
    );
  return files.map((f) => join(dir, f));
}

export function registerAdmissionCommands(program: Command, cli: CliContext): void {
  const app = commandGroup(program, 'app', 'micro-apps: submit, inspect, run, roll back');
  app
    .command('explain <app> [version]')
    .description("explain an app version's risk score: each factor, its points and how to lower it; findings; approval")
    .action(async (name: string, version?: string) => {
      const r = await cli
        .api()
        .request<Explanation>(
          'GET',
          `/api/v1/apps/${encodeURIComponent(name)}/explain${version ? `?version=${encodeURIComponent(version)}` : ''}`,
        );
      cli.print(r, () => formatExplanation(r));
    });
  app
    .command('init <dir>')
    .description(
      `write a starter manifest and code (${TEMPLATES.join(' | ')}); low risk in dev, so it auto-approves there`,
    )
    .requiredOption('--template <template>', TEMPLATES.join(' | '))
    .option('--name <name>', 'app name (default: the folder name)')
    .option('--owner <user>', 'owning catalog user (default: the user of GATEHOUSE_TOKEN)')
    .action(async (dir: string, o: { template: string; name?: string; owner?: string }) => {
      const target = resolve(dir);
      let owner = o.owner;
      if (!owner) {
        try {
          owner = (await cli.api().request<{ user: string }>('GET', '/api/v1/whoami')).user;
        } catch {
          throw new InvalidInputError('Cannot tell who you are (no server or token); pass --owner <user>.', [
            { path: '--owner', message: 'required when the server is not reachable' },
          ]);
        }
      }
      const name = o.name ?? basename(target).toLowerCase();
      const written = initTemplate(o.template, target, name, owner);
      cli.print({ template: o.template, name, owner, files: written }, () =>
        [
          `wrote ${o.template} app '${name}' (owner ${owner}):`,
          ...written.map((f) => `  ${f}`),
          `next: gatehouse app submit ${join(dir, 'app.yaml')}`,
        ].join('\n'),
      );
    });
}
