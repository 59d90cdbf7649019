// CLI: `gatehouse doctor`: prints the readiness report item by item; exit 1 while any item fails.
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context.js';
import { GatehouseError } from '../core/errors.js';
import type { DoctorReport } from './doctor-routes.js';

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

export function formatDoctorReport(r: DoctorReport): string {
  const lines = r.items.map((i) => {
    const head = `${MARK[i.status]}  ${i.title}\n      ${i.why}`;
    return i.fix ? `${head}\n      fix: ${i.fix}` : head;
  });
  const s = r.summary;
  lines.push(`\n${s.pass} pass, ${s.warn} warn, ${s.fail} fail (score ${s.score}/100)`);
  return lines.join('\n');
}

export function registerDoctorCommands(program: Command, cli: CliContext): void {
  program
    .command('doctor')
    .description("score this installation against the design brief's checklist; exit 1 while an item fails")
    .action(async () => {
      const r = await cli.api().request<DoctorReport>('GET', '/api/v1/doctor');
      cli.print(r, () => formatDoctorReport(r));
      if (r.summary.fail > 0)
        throw new GatehouseError(
          'doctor_failed',
          422,
          `${r.summary.fail} readiness item(s) fail; apply the fixes above and run gatehouse doctor again.`,
        );
    });
}
