// CLI: `gatehouse model deployments <model>`: a model's deployments and their live state.
import type { Command } from 'commander';
import type { CliContext } from '../../cli/cli-context.js';
import { commandGroup } from '../../cli/command-group.js';
import type { ModelDeployments } from './deployment-routes.js';

export function registerDeploymentCommands(program: Command, cli: CliContext): void {
  const model = commandGroup(program, 'model', 'catalog models at the gateway');
  model
    .command('deployments <model>')
    .description("a model's deployments: region, weight, limits, circuit, recent latency, this minute's use")
    .action(async (name: string) => {
      const r = await cli
        .api()
        .request<ModelDeployments>('GET', `/api/v1/models/${encodeURIComponent(name)}/deployments`);
      const head = ['id', 'region', 'weight', 'circuit', 'latency', 'rpm used', 'tpm used', 'upstream'];
      const rows = r.deployments.map((d) => [
        d.id,
        d.region,
        String(d.weight),
        d.circuit,
        d.latencyMs === undefined ? '-' : `${d.latencyMs} ms`,
        d.rpm === undefined ? String(d.rpmUsed) : `${d.rpmUsed}/${d.rpm}`,
        d.tpm === undefined ? String(d.tpmUsed) : `${d.tpmUsed}/${d.tpm}`,
        d.upstream,
      ]);
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
      const line = (cells: string[]) =>
        cells
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd();
      cli.print(r, () =>
        [
          `${r.model}${r.implicit ? ' (no deployments listed: one implicit deployment)' : ''}`,
          line(head),
          ...rows.map(line),
          'circuit and latency: this replica; rpm/tpm: this minute, all replicas',
        ].join('\n'),
      );
    });
}
