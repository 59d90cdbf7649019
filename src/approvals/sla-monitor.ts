// SLA watch over pending approvals: reminders at configured fractions of the SLA, escalation to admins on breach.
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { AuditSink } from '../core/sinks.js';
import type { Notifier } from '../notify/webhook-notifier.js';
import type { ApprovalService } from './approval-service.js';

export interface SlaMonitorDeps {
  approvals: ApprovalService;
  clock: Clock;
  audit: AuditSink;
  notifier: Notifier;
  logger: Logger;
  /** Fractions of the SLA at which reviewers are reminded (e.g. 0.5, 0.75). */
  reminders: readonly number[];
  /** Users to escalate to (catalog users with the admin role). */
  admins: () => string[];
}

export interface SlaTickResult {
  reminded: string[];
  escalated: string[];
}

export class SlaMonitor {
  private timer?: NodeJS.Timeout;
  private running?: Promise<SlaTickResult>;

  constructor(private readonly deps: SlaMonitorDeps) {}

  /** One pass: each pending request gets at most the newest reminder level it reached; skipped levels are not replayed. */
  async tick(): Promise<SlaTickResult> {
    const out: SlaTickResult = { reminded: [], escalated: [] };
    const levels = [...this.deps.reminders].sort((a, b) => a - b);
    const now = this.deps.clock.now();
    for (const r of await this.deps.approvals.store.pendingWithDeadline()) {
      const total = r.dueAt! - r.createdAt;
      const elapsed = (now - r.createdAt) / total;
      const breached = now >= r.dueAt!;
      const level = breached ? levels.length + 1 : levels.filter((f) => elapsed >= f).length;
      if (level <= r.remindersSent) continue;
      if (!(await this.deps.approvals.store.markReminded(r.id, r.remindersSent, level, breached ? now : undefined)))
        continue; // another replica sent it
      const open = r.requirements
        .filter((q) => !r.votes.some((v) => v.vote === 'approve' && v.counted === q.key))
        .map((q) => q.user ?? q.role);
      const data = {
        ...this.deps.approvals.eventData(r),
        waitingOn: open.join(','),
        overdueMinutes: breached ? Math.round((now - r.dueAt!) / 60_000) : undefined,
      };
      if (breached) {
        const admins = this.deps.admins();
        await this.deps.audit.append({
          type: 'approval.escalated',
          actor: 'system',
          app: r.app,
          appVersion: r.version,
          ids: { approvalId: r.id },
          data: { dueAt: r.dueAt, escalatedTo: admins, waitingOn: open },
        });
        this.deps.notifier.notify({
          type: 'approval.escalated',
          time: now,
          text: `SLA breached: ${r.app} v${r.version} (${r.tier} risk) was due ${new Date(r.dueAt!).toISOString()} and still waits on ${open.join(', ')}. Escalated to admins: ${admins.join(', ') || 'none configured'}.`,
          data: { ...data, escalatedTo: admins.join(',') },
        });
        out.escalated.push(r.id);
      } else {
        const pct = Math.round(levels[level - 1] * 100);
        await this.deps.audit.append({
          type: 'approval.reminded',
          actor: 'system',
          app: r.app,
          appVersion: r.version,
          ids: { approvalId: r.id },
          data: { level, slaUsedPercent: pct, waitingOn: open },
        });
        this.deps.notifier.notify({
          type: 'approval.reminded',
          time: now,
          text: `Reminder: ${r.app} v${r.version} has used ${pct}% of its review SLA; waiting on ${open.join(', ')}, due ${new Date(r.dueAt!).toISOString()}.`,
          data: { ...data, slaUsedPercent: pct },
        });
        out.reminded.push(r.id);
      }
    }
    return out;
  }

  /** Checks every `intervalMs` (unref'd, so it never holds the process open); overlapping ticks are skipped. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err: Error) => {
          this.deps.logger.error('approval SLA check failed', { error: err.message });
          return { reminded: [], escalated: [] };
        })
        .finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
