// CLI: `gatehouse approvals list|show|approve|reject`, acting as the user of GATEHOUSE_TOKEN.
import type { Command } from 'commander';
import { commandGroup } from '../cli/command-group.js';
import type { CliContext } from '../cli/cli-context.js';
import { InvalidInputError } from '../core/errors.js';
import type { ApprovalSummary, Finding, RiskAssessment } from '../admission/admission-types.js';

const iso = (ms?: number) => (ms ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');

export function formatApproval(a: ApprovalSummary): string {
  const slots = a.requirements
    .map((r) => `${r.user ? `${r.user} (${r.role})` : r.role}${r.filledBy ? ` ✓ ${r.filledBy}` : ''}`)
    .join(', ');
  return [
    `${a.id}  ${a.app} v${a.version}  ${a.state}${a.auto ? ' (system)' : ''}  risk ${a.score} ${a.tier}  submitted by ${a.submittedBy}`,
    ...(a.state === 'pending'
      ? [
          `  needs: ${slots || '-'}; ${a.votes.filter((v) => v.vote === 'approve').length}/${a.minApprovals}+ approvals; due ${iso(a.dueAt)}${a.escalated ? ' (ESCALATED)' : ''}`,
        ]
      : []),
    ...(a.decidedBy && !a.auto
      ? [`  decided by ${a.decidedBy} at ${iso(a.decidedAt)}${a.comment ? `: ${a.comment}` : ''}`]
      : []),
  ].join('\n');
}

export function registerApprovalCommands(program: Command, cli: CliContext): void {
  const g = commandGroup(program, 'approvals', 'review app versions: list, approve, reject');
  g.command('list')
    .description('list approval requests (newest first)')
    .option('--mine', 'only pending requests you can act on now')
    .option('--state <state>', 'pending | approved | rejected | superseded')
    .option('--app <app>', 'only this app')
    .action(async (o: { mine?: boolean; state?: string; app?: string }) => {
      const qs = new URLSearchParams();
      if (o.mine) qs.set('mine', 'true');
      if (o.state) qs.set('state', o.state);
      if (o.app) qs.set('app', o.app);
      const r = await cli
        .api()
        .request<{ items: ApprovalSummary[] }>('GET', `/api/v1/approvals${qs.size ? `?${qs}` : ''}`);
      cli.print(r, () => r.items.map(formatApproval).join('\n') || '(no approval requests)');
    });
  g.command('show <id>')
    .description('show a request with its risk factors and findings')
    .action(async (id: string) => {
      const r = await cli
        .api()
        .request<ApprovalSummary & { risk: RiskAssessment; findings: Finding[] }>(
          'GET',
          `/api/v1/approvals/${encodeURIComponent(id)}`,
        );
      cli.print(r, () =>
        [
          formatApproval(r),
          ...r.risk.factors.map((f) => `  +${f.points} ${f.reason}\n       fix: ${f.fix}`),
          ...r.findings.map((f) => `  [${f.severity}] ${f.file ?? ''}${f.line ? `:${f.line}` : ''} ${f.message}`),
        ].join('\n'),
      );
    });
  g.command('approve <id>')
    .description('approve a pending request (you may not approve your own app)')
    .option('--comment <text>', 'a note for the record')
    .action(async (id: string, o: { comment?: string }) => {
      const r = await cli
        .api()
        .request<ApprovalSummary>(
          'POST',
          `/api/v1/approvals/${encodeURIComponent(id)}/approve`,
          o.comment ? { comment: o.comment } : {},
        );
      const waiting = r.requirements.filter((q) => !q.filledBy).map((q) => (q.user ? `${q.user} (${q.role})` : q.role));
      cli.print(r, () =>
        r.state === 'pending'
          ? `${formatApproval(r)}\n  still pending: waiting on ${waiting.join(', ') || `${r.minApprovals} approvals in all`}; each approves with \`gatehouse approvals approve ${r.id}\` under their own token`
          : formatApproval(r),
      );
    });
  g.command('reject <id>')
    .description('reject a pending request; the comment is shown to the creator')
    .requiredOption('--comment <text>', 'what the creator should change')
    .action(async (id: string, o: { comment: string }) => {
      if (!o.comment.trim())
        throw new InvalidInputError('--comment must say what the creator should change.', [
          { path: '--comment', message: 'required' },
        ]);
      const r = await cli
        .api()
        .request<ApprovalSummary>('POST', `/api/v1/approvals/${encodeURIComponent(id)}/reject`, { comment: o.comment });
      cli.print(r, () => formatApproval(r));
    });
}
