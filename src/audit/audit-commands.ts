// CLI: `gatehouse audit verify | proof | verify-proof | list | export | checkpoint`.
import type { Command } from 'commander';
import { parseSince } from '../core/duration.js';
import { InvalidInputError } from '../core/errors.js';
import { commandGroup } from '../cli/command-group.js';
import { readInputFile, type CliContext } from '../cli/cli-context.js';
import {
  apiSource,
  AuditVerificationError,
  checkProofFile,
  fetchVerifiedInclusionProof,
  readTrusted,
  resolveKey,
  type ProofFile,
} from './audit-client.js';
import type { EntryJson } from './audit-api-schemas.js';
import { pinCheckpoint, pinnedCheckpointPath, PINNED_CHECKPOINT_FILE, readPinnedCheckpoint } from './checkpoint-pin.js';

function intArg(name: string, text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new InvalidInputError(`${name} must be a non-negative integer, got ${text}`, [
      { path: name, message: 'use a number' },
    ]);
  return Number(text);
}

function summary(e: EntryJson): string {
  const ev = (e.event ?? {}) as {
    type?: string;
    actor?: string;
    app?: string;
    appVersion?: number;
    ids?: Record<string, string>;
  };
  const ids = Object.entries(ev.ids ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const app = ev.app ? `${ev.app}${ev.appVersion !== undefined ? `@${ev.appVersion}` : ''}` : '-';
  return `${String(e.index).padStart(7)}  ${e.time}  ${(ev.type ?? '?').padEnd(22)} ${(ev.actor ?? '?').padEnd(14)} ${app.padEnd(16)} ${ids}`;
}

export function registerAuditCommands(program: Command, cli: CliContext): void {
  const audit = commandGroup(program, 'audit', 'the verifiable audit log: verify, proofs, listing, export');

  audit
    .command('verify')
    .description(
      'recompute the whole tree from the entries and check it against the signed checkpoint (exit 1 naming the first bad index)',
    )
    .option(
      '--checkpoint <file>',
      'a checkpoint saved earlier (`gatehouse audit checkpoint > saved.txt`); the log must extend it',
    )
    .option('--witness <file|url>', 'a witness file or URL (JSON lines); the log must extend every checkpoint in it')
    .option('--key <verifierKey>', 'verifier key to trust (default: GATEHOUSE_AUDIT_KEY, then the pinned key)')
    .option(
      '--no-pin',
      `neither trust nor move the checkpoint pinned in GATEHOUSE_HOME/${PINNED_CHECKPOINT_FILE} (by default the log must extend it)`,
    )
    .action(async (o: { checkpoint?: string; witness?: string; key?: string; pin: boolean }) => {
      const trusted = await readTrusted(o.checkpoint, o.witness);
      const home = cli.env.GATEHOUSE_HOME ?? '.gatehouse';
      const pinned = o.pin ? readPinnedCheckpoint(home) : undefined;
      const pinLabel = `pinned checkpoint ${pinnedCheckpointPath(home)}`;
      if (pinned !== undefined) trusted.push({ label: pinLabel, note: pinned });
      const api = cli.api();
      const { key, note } = await resolveKey({ key: o.key, env: cli.env, api });
      // The verifier (and its worker pool) loads only when a log is verified.
      const { verifyLog } = await import('./verify.js');
      const r = await verifyLog(apiSource(api), key, trusted);
      if (!r.ok) {
        const at = r.problem?.index !== undefined ? ` at index ${r.problem.index}` : '';
        const hint = r.problem?.message.includes(pinLabel)
          ? ` (if the log was reset or restored from an older backup on purpose, check it with --no-pin, then delete ${pinnedCheckpointPath(home)})`
          : '';
        throw new AuditVerificationError(`audit log verification FAILED${at}: ${r.problem?.message}${hint}`, {
          index: r.problem?.index ?? null,
          report: r,
        });
      }
      // Move the pin forward to what was just verified (never back), so the next plain `verify` catches a cut-back.
      let pinNote: string;
      try {
        const moved = o.pin && r.checkpoint !== undefined && (await pinCheckpoint(home, r.checkpoint));
        pinNote = !o.pin
          ? 'pinned checkpoint neither used nor moved (--no-pin)'
          : `${pinned !== undefined ? 'the log extends the ' : ''}${pinLabel}${moved ? `, now at size ${r.size}` : ' (unchanged)'}`;
      } catch (err) {
        pinNote = `${pinLabel} not written: ${(err as Error).message}`;
      }
      const { checkpoint: _note, ...shown } = r;
      const others = r.trustedChecked - (pinned !== undefined ? 1 : 0);
      cli.print({ ...shown, key: note, pin: pinNote }, () =>
        [
          `ok: ${r.entriesChecked} entries recomputed; root ${r.rootHash} matches the checkpoint of size ${r.size} signed by ${key.name}`,
          ...(others > 0 ? [`ok: the log extends ${others} saved/witnessed checkpoint(s)`] : []),
          `(${note}; ${pinNote})`,
        ].join('\n'),
      );
    });

  audit
    .command('checkpoint')
    .description('print the latest signed checkpoint (save it to check later with `audit verify --checkpoint`)')
    .action(async () => {
      const r = await cli
        .api()
        .request<{ checkpoint: string; size: number; rootHash: string }>('GET', '/api/v1/audit/checkpoint');
      cli.print(r, () => r.checkpoint.replace(/\n$/, ''));
    });

  audit
    .command('proof <index>')
    .description(
      'write a self-contained inclusion proof (JSON) for one entry, checkable offline by `audit verify-proof` or any RFC 6962 verifier',
    )
    .option('--key <verifierKey>', 'verifier key to trust (default: GATEHOUSE_AUDIT_KEY, then the pinned key)')
    .action(async (indexText: string, o: { key?: string }) => {
      const index = intArg('index', indexText);
      const { proof } = await fetchVerifiedInclusionProof(cli.api(), cli.env, index, o.key);
      cli.io.out(JSON.stringify(proof, null, 2));
    });

  audit
    .command('verify-proof <file>')
    .description('check a proof file offline (signature with the pinned or given key, then the inclusion path)')
    .option(
      '--key <verifierKey>',
      'verifier key to trust (default: GATEHOUSE_AUDIT_KEY, then the pinned key, else the one in the file)',
    )
    .action(async (file: string, o: { key?: string }) => {
      let proof: ProofFile;
      try {
        proof = JSON.parse(readInputFile(file)) as ProofFile;
      } catch (err) {
        if (err instanceof InvalidInputError) throw err;
        throw new InvalidInputError(`${file} is not JSON: ${(err as Error).message}`, [
          { path: file, message: 'expected the output of `gatehouse audit proof`' },
        ]);
      }
      let resolved;
      try {
        resolved = await resolveKey({ key: o.key, env: cli.env });
      } catch {
        resolved = undefined;
      }
      const keyText = resolved?.text ?? String(proof.verifierKey);
      const keyNote =
        resolved?.note ?? 'key taken from the proof file itself: pass --key to check it against a key you trust';
      if (resolved && typeof proof.verifierKey === 'string' && proof.verifierKey.trim() !== resolved.text) {
        throw new AuditVerificationError(
          `proof rejected: it names verifier key ${proof.verifierKey}, but the trusted key is ${resolved.text}`,
        );
      }
      const { key } = await resolveKey({ key: keyText, env: {} });
      const { event, origin } = checkProofFile(proof, key);
      cli.print(
        { ok: true, leafIndex: proof.leafIndex, treeSize: proof.treeSize, origin, event, key: keyNote },
        () =>
          `ok: entry ${proof.leafIndex} (${event.type} by ${event.actor} at ${event.time}) is in the log of size ${proof.treeSize} signed by ${origin}\n(${keyNote})`,
      );
    });

  audit
    .command('list')
    .description('list audit entries')
    .option('--app <app>', 'only this app')
    .option('--type <type>', 'only this event type (a prefix such as `approval` matches approval.granted)')
    .option('--since <time>', 'only entries at or after an ISO time or an age such as 24h, 7d')
    .option('--start <index>', 'first index', '0')
    .option('--limit <n>', 'at most this many entries', '100')
    .action(async (o: { app?: string; type?: string; since?: string; start: string; limit: string }) => {
      const q = new URLSearchParams({
        start: String(intArg('--start', o.start)),
        limit: String(Math.min(intArg('--limit', o.limit), 10_000)),
      });
      if (o.app) q.set('app', o.app);
      if (o.type) q.set('type', o.type);
      if (o.since) q.set('since', new Date(parseSince(o.since, Date.now(), '--since')).toISOString());
      const r = await cli
        .api()
        .request<{ entries: EntryJson[]; next: number | null }>('GET', `/api/v1/audit/entries?${q}`);
      cli.print(
        r,
        () =>
          (r.entries.map(summary).join('\n') || '(no entries)') +
          (r.next !== null ? `\n… more from --start ${r.next}` : ''),
      );
    });

  audit
    .command('export')
    .description('write every entry as JSON lines ({index, entry (base64 leaf bytes), leafHash, time, event})')
    .option('--start <index>', 'first index', '0')
    .action(async (o: { start: string }) => {
      const api = cli.api();
      for (let start: number | null = intArg('--start', o.start); start !== null;) {
        const r: { entries: EntryJson[]; next: number | null } = await api.request(
          'GET',
          `/api/v1/audit/entries?start=${start}&limit=5000`,
        );
        if (r.entries.length) cli.io.out(r.entries.map((e) => JSON.stringify(e)).join('\n'));
        start = r.next;
      }
    });
}
