// CLI: `gatehouse app submit|list|show|versions|diff` and `gatehouse schema manifest`.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { commandGroup } from '../cli/command-group.js';
import type { CliContext } from '../cli/cli-context.js';
import type { AdmissionResult } from '../admission/admission-types.js';
import type { AppVersionDiff } from './app-diff.js';
import type { AppManifest } from './manifest-schema.js';

interface VersionSummary {
  app: string;
  version: number;
  hash: string;
  state: string;
  submittedBy: string;
  createdAt: string;
}
interface SubmitResponse extends VersionSummary {
  created: boolean;
  admission: AdmissionResult | null;
}

export function formatAdmission(a: AdmissionResult): string[] {
  const lines = [`risk:    ${a.risk.score}/100 (${a.risk.tier})`];
  for (const f of a.risk.factors) lines.push(`  +${f.points} ${f.reason}${f.fix ? `\n       fix: ${f.fix}` : ''}`);
  for (const f of a.findings)
    lines.push(
      `  [${f.severity}] ${f.file ? `${f.file}${f.line ? `:${f.line}` : ''} ` : ''}${f.message}${f.fix ? ` (fix: ${f.fix})` : ''}`,
    );
  const ap = a.approval;
  if (a.state === 'approved') lines.push(`approval: approved${ap.auto ? ' automatically (low risk)' : ''}`);
  else if (a.state === 'rejected') lines.push(`approval: rejected: ${a.decision.reason}`);
  else
    lines.push(
      `approval: pending (${ap.id}); needs ${ap.requiredRoles.join(', ')}${ap.dueAt ? `; due ${new Date(ap.dueAt).toISOString()}` : ''}`,
    );
  return lines;
}

export function registerAppCommands(program: Command, cli: CliContext): void {
  const app = commandGroup(program, 'app', 'micro-apps: submit, inspect, run, roll back');
  app
    .command('submit <manifest>')
    .description('submit an app manifest with the code files it references (relative to it)')
    .action(async (manifestPath: string) => {
      const { readAppBundle } = await import('./app-bundle.js');
      const bundle = readAppBundle(resolve(manifestPath));
      const r = await cli.api().request<SubmitResponse>('POST', '/api/v1/apps', bundle);
      cli.print(r, () =>
        [
          `${r.created ? 'created' : 'unchanged (identical content)'}: ${r.app} version ${r.version}`,
          `hash:    sha256:${r.hash}`,
          `state:   ${r.state}`,
          ...(r.admission ? formatAdmission(r.admission) : []),
        ].join('\n'),
      );
    });
  app
    .command('list')
    .description('list apps with their latest version and the version in force')
    .action(async () => {
      const r = await cli.api().request<{
        items: {
          name: string;
          owner: string;
          latest: number;
          state: string;
          inForce: number | null;
          environment: string;
        }[];
      }>('GET', '/api/v1/apps');
      cli.print(
        r,
        () =>
          r.items
            .map(
              (a) =>
                `${a.name.padEnd(24)} v${a.latest} ${a.state.padEnd(17)} in force: ${a.inForce ? `v${a.inForce}` : '-'}  ${a.environment}  owner=${a.owner}`,
            )
            .join('\n') || '(no apps)',
      );
    });
  app
    .command('show <app>')
    .description('show an app: versions, states and the latest manifest')
    .action(async (name: string) => {
      const r = await cli.api().request<{
        name: string;
        owner: string;
        inForce: number | null;
        latest: VersionSummary & { manifest: AppManifest; rejection?: { by: string; comment: string } };
        versions: VersionSummary[];
      }>('GET', `/api/v1/apps/${encodeURIComponent(name)}`);
      cli.print(r, () =>
        [
          `${r.name} (owner ${r.owner}); in force: ${r.inForce ? `v${r.inForce}` : 'none'}`,
          ...r.versions.map(
            (v) =>
              `  v${v.version} ${v.state.padEnd(17)} sha256:${v.hash.slice(0, 16)}… by ${v.submittedBy} at ${v.createdAt}`,
          ),
          ...(r.latest.rejection ? [`rejected by ${r.latest.rejection.by}: ${r.latest.rejection.comment}`] : []),
          `purpose: ${r.latest.manifest.spec.purpose}`,
          `models: ${r.latest.manifest.spec.models.map((m) => m.id).join(', ') || '-'}; data: ${r.latest.manifest.spec.data.map((d) => `${d.dataset}(${d.access})`).join(', ') || '-'}; connectors: ${r.latest.manifest.spec.connectors.map((c) => c.id).join(', ') || '-'}; egress: ${r.latest.manifest.spec.egress.join(', ') || '-'}`,
        ].join('\n'),
      );
    });
  app
    .command('versions <app>')
    .description('list the versions of an app')
    .action(async (name: string) => {
      const r = await cli
        .api()
        .request<{ items: VersionSummary[] }>('GET', `/api/v1/apps/${encodeURIComponent(name)}/versions`);
      cli.print(r, () =>
        r.items
          .map((v) => `v${v.version} ${v.state.padEnd(17)} sha256:${v.hash} ${v.createdAt} by ${v.submittedBy}`)
          .join('\n'),
      );
    });
  app
    .command('diff <app> <from> <to>')
    .description('show what changed between two versions (manifest fields and code)')
    .action(async (name: string, from: string, to: string) => {
      const r = await cli
        .api()
        .request<AppVersionDiff>(
          'GET',
          `/api/v1/apps/${encodeURIComponent(name)}/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
        );
      cli.print(r, () =>
        [
          `${r.app}: v${r.from.version} (${r.from.hash.slice(0, 12)}) → v${r.to.version} (${r.to.hash.slice(0, 12)})`,
          ...(r.manifest.length
            ? r.manifest.map(
                (c) =>
                  `  ${c.change === 'added' ? '+' : c.change === 'removed' ? '-' : '~'} ${c.path}: ${c.change === 'added' ? JSON.stringify(c.after) : c.change === 'removed' ? JSON.stringify(c.before) : `${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`}`,
              )
            : ['  manifest unchanged']),
          ...r.code.map((c) => c.patch),
        ].join('\n'),
      );
    });
  const schema = commandGroup(program, 'schema', 'JSON Schemas of Gatehouse documents');
  schema
    .command('manifest')
    .description('print the JSON Schema of the app manifest')
    .action(async () => {
      const { manifestSchema } = await import('./manifest-schema.js');
      const { z } = await import('zod');
      cli.io.out(JSON.stringify(z.toJSONSchema(manifestSchema, { io: 'input' }), null, 2));
    });
}
