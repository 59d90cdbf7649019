// Doctor checks on how it is run: telemetry and alert rules, audit witness, kill drill, backups, tokens, TLS.
import { DAY, item, list, type DoctorFacts, type DoctorItem } from './doctor-item.js';

export function telemetry(f: DoctorFacts): DoctorItem {
  const title = 'Telemetry exported and alert rules for PII and token spikes active';
  const on = f.alertRules.filter((r) => r.enabled);
  const pii = on.some(
    (r) => r.kinds.includes('dlp.detection') && r.actions.some((a) => a === 'kill' || a === 'notify'),
  );
  const spike = on.some(
    (r) => r.kinds.includes('model.invocation') && (r.metric ?? 'tokens') === 'tokens' && r.actions.includes('cap'),
  );
  const missing = [
    !pii ? 'PII (dlp.detection → notify/kill)' : '',
    !spike ? 'token spike (model.invocation tokens → cap)' : '',
  ].filter(Boolean);
  const problems = [
    !f.telemetry.otlpEndpoint ? 'OTLP export is off (telemetry.otlp.endpoint unset)' : '',
    missing.length ? `no active alert rule for ${missing.join(' or ')}` : '',
  ].filter(Boolean);
  if (problems.length)
    return item(
      'telemetry',
      title,
      'fail',
      problems.join('; '),
      [
        !f.telemetry.otlpEndpoint
          ? 'set telemetry.otlp.endpoint: http://<collector>:4318 in $GATEHOUSE_HOME/gatehouse.yaml'
          : '',
        missing.length ? 'gatehouse alerts apply examples/alerts (edit the webhook URLs first)' : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
  return item(
    'telemetry',
    title,
    'pass',
    `exporting to ${f.telemetry.otlpEndpoint}; ${on.length} alert rules active incl. PII and token spike`,
  );
}

export function audit(f: DoctorFacts): DoctorItem {
  const title = 'Audit witness on and the latest checkpoint consistent with it';
  const a = f.audit;
  if (a.witness === 'off')
    return item(
      'audit',
      title,
      'fail',
      'Checkpoints never leave the server: whoever holds the database can rewrite history unnoticed.',
      'set audit.witnessUrl (or audit.witnessFile) in gatehouse.yaml and restart',
    );
  if (a.witnessConsistent === false)
    return item('audit', title, 'fail', a.witnessDetail, 'gatehouse audit verify; investigate before anything else');
  return item(
    'audit',
    title,
    a.witnessConsistent === undefined ? 'warn' : 'pass',
    a.witnessDetail,
    'gatehouse audit verify --witness <file>',
  );
}

export function killDrill(f: DoctorFacts): DoctorItem {
  const title = 'A kill switch exercised in the last 30 days';
  const fix =
    'gatehouse kill app <app> --reason "drill" then gatehouse unkill app <app> --reason "drill over" (or gatehouse demo incidents --case ssn)';
  if (f.lastKillAt === undefined)
    return item(
      'kill-drill',
      title,
      'fail',
      'No kill switch has ever been set: the rollback playbook is untested.',
      fix,
    );
  const days = Math.floor((f.now - f.lastKillAt) / DAY);
  if (days > 30) return item('kill-drill', title, 'warn', `the last kill switch was set ${days} days ago`, fix);
  return item('kill-drill', title, 'pass', `last set ${new Date(f.lastKillAt).toISOString()}`);
}

export function backups(f: DoctorFacts): DoctorItem {
  const title = 'Backups of GATEHOUSE_HOME or the database configured';
  if (!f.backups)
    return item(
      'backups',
      title,
      'fail',
      'No backup is declared (the audit log, approvals, catalog and the audit signing key live here).',
      'set doctor.backups: "<what backs up the database and GATEHOUSE_HOME, and where>" in gatehouse.yaml once it runs (docs/deploy.md, Backups)',
    );
  return item(
    'backups',
    title,
    'pass',
    `declared: ${f.backups} (declared by the operator; Gatehouse cannot see the backup itself)`,
  );
}

export function adminTokens(f: DoctorFacts): DoctorItem {
  const title = 'No admin API tokens without expiry';
  if (f.adminTokensWithoutExpiry.length)
    return item(
      'admin-tokens',
      title,
      'fail',
      `admin tokens that never expire: ${list(f.adminTokensWithoutExpiry)}`,
      'gatehouse token revoke <id>, then gatehouse token create --user <admin> --ttl 30d',
    );
  return item(
    'admin-tokens',
    title,
    'pass',
    'every minted admin token expires (rotate the bootstrap admin-token with GATEHOUSE_ADMIN_TOKEN)',
  );
}

export function tls(f: DoctorFacts): DoctorItem {
  const title = 'TLS in front of Gatehouse';
  const fix =
    'terminate TLS at an Ingress/load balancer that sets X-Forwarded-Proto: https, and set doctor.tlsTerminatedBy: "<proxy>" in gatehouse.yaml (docs/deploy.md)';
  if (f.tls.terminatedBy && f.tls.forwardedHttps)
    return item('tls', title, 'pass', `TLS terminated by ${f.tls.terminatedBy}; this request arrived over https`);
  if (f.tls.terminatedBy)
    return item(
      'tls',
      title,
      'warn',
      `declared (${f.tls.terminatedBy}) but this request did not come through it over https`,
      fix,
    );
  if (f.tls.loopbackOnly)
    return item('tls', title, 'warn', 'plain HTTP on loopback only: fine on one machine, not for a team', fix);
  return item('tls', title, 'fail', 'plain HTTP on a network address: tokens and session cookies travel in clear', fix);
}
