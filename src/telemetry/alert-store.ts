// Persistence of alert rules and firings through the store contract.
import type { SqlDb } from '../store/sql-db.js';
import type { AlertRuleDoc } from './alert-rule-schema.js';
import type { AlertFiring } from './alert-engine.js';

export class AlertStore {
  constructor(private readonly db: SqlDb) {}

  async rules(): Promise<{ doc: AlertRuleDoc; updatedBy: string; updatedAt: number }[]> {
    const rows = await this.db.all<{ doc: string; updated_by: string; updated_at: number }>(
      'SELECT doc, updated_by, updated_at FROM alert_rules ORDER BY name',
    );
    return rows.map((r) => ({
      doc: JSON.parse(r.doc) as AlertRuleDoc,
      updatedBy: r.updated_by,
      updatedAt: Number(r.updated_at),
    }));
  }

  /** Stores every rule in one transaction: all or nothing. */
  async putRules(docs: AlertRuleDoc[], actor: string, at: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const d of docs) {
        await tx.run(
          'INSERT INTO alert_rules (name, doc, updated_by, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc, updated_by = excluded.updated_by, updated_at = excluded.updated_at',
          [d.metadata.name, JSON.stringify(d), actor, at],
        );
      }
    });
  }

  async deleteRule(name: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM alert_rules WHERE name = ?', [name])).changes > 0;
  }

  async saveFiring(f: AlertFiring): Promise<void> {
    await this.db.run(
      `INSERT INTO alert_firings (id, rule, app, scope_key, fired_at, first_event_at, contained_at, contain_ms, audit_index, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET contained_at = excluded.contained_at, contain_ms = excluded.contain_ms, audit_index = excluded.audit_index, body = excluded.body`,
      [
        f.id,
        f.rule,
        f.app ?? null,
        f.groupKey,
        f.firedAt,
        f.firstEventAt,
        f.containedAt ?? null,
        f.containMs ?? null,
        f.auditIndex ?? null,
        JSON.stringify(f),
      ],
    );
  }

  async history(opts: { app?: string; rule?: string; limit?: number } = {}): Promise<AlertFiring[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.app) {
      where.push('app = ?');
      params.push(opts.app);
    }
    if (opts.rule) {
      where.push('rule = ?');
      params.push(opts.rule);
    }
    params.push(opts.limit ?? 100);
    const rows = await this.db.all<{ body: string }>(
      `SELECT body FROM alert_firings ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY fired_at DESC LIMIT ?`,
      params,
    );
    return rows.map((r) => JSON.parse(r.body) as AlertFiring);
  }
}
