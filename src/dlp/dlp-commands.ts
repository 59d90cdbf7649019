// `gatehouse dlp scan|restore`: local DLP on files, stdin or JSON lines, without a server.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context.js';
import { InvalidInputError } from '../core/errors.js';
import type { DlpEngine, EntityAction, RedactPolicy } from './types.js';

interface ScanOpts {
  redact?: boolean;
  jsonl?: boolean;
  mode?: string;
  block?: string;
  vault?: string;
  scope?: string;
}

const MODES = ['mask', 'partial', 'hash', 'tokenize'];

function readText(file: string | undefined): string {
  const path = !file || file === '-' ? 0 : file;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidInputError(
      `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      [{ path: String(file), message: 'check the path, or pass - for stdin' }],
    );
  }
}

async function* readLines(file: string | undefined): AsyncGenerator<string> {
  if (file && file !== '-') {
    yield* readText(file).split('\n');
    return;
  }
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) yield line;
}

async function loadEngine(cli: CliContext, vaultPath?: string) {
  // Loaded on use: the PERSON lexicon costs ~200 ms, which other commands should not pay.
  const [{ createDlpEngine }, { loadConfig }, { openFileVault }] = await Promise.all([
    import('./engine.js'),
    import('../feature-registry.js'),
    import('./file-vault.js'),
  ]);
  const cfg = loadConfig({ env: cli.env });
  const vault = vaultPath ? openFileVault(vaultPath) : undefined;
  return { engine: createDlpEngine(cfg.dlp, { vault }), save: () => vault?.save() };
}

function policyFrom(opts: ScanOpts): RedactPolicy {
  const mode = opts.mode ?? 'mask';
  if (!MODES.includes(mode))
    throw new InvalidInputError(`--mode must be one of ${MODES.join(', ')} (got '${mode}').`, [
      { path: '--mode', message: 'pick a redaction mode' },
    ]);
  const entities: Record<string, EntityAction> = {};
  for (const t of (opts.block ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(t))
      throw new InvalidInputError(`--block takes entity types like US_SSN,CREDIT_CARD (got '${t}').`, [
        { path: '--block', message: 'use upper-case entity names' },
      ]);
    entities[t] = 'block';
  }
  return { default: mode as EntityAction, entities, tokenScope: opts.scope ?? 'default' };
}

async function scanJsonl(cli: CliContext, engine: DlpEngine, file: string | undefined, opts: ScanOpts): Promise<void> {
  const policy = policyFrom(opts);
  let n = 0;
  for await (const line of readLines(file)) {
    n++;
    if (line.trim() === '') continue;
    let rec: { id?: unknown; text?: unknown };
    try {
      rec = JSON.parse(line) as { id?: unknown; text?: unknown };
    } catch {
      throw new InvalidInputError(`Line ${n} is not JSON; each line must be {"id": ..., "text": "..."}.`, [
        { path: `line ${n}`, message: 'invalid JSON' },
      ]);
    }
    if (typeof rec?.text !== 'string')
      throw new InvalidInputError(`Line ${n} has no string "text" field.`, [
        { path: `line ${n}.text`, message: 'expected a string' },
      ]);
    const out: Record<string, unknown> = { id: rec.id ?? null };
    if (opts.redact || opts.block) {
      const r = engine.redact(rec.text, policy);
      out.findings = r.findings.map(({ type, start, end, score }) => ({ type, start, end, score }));
      if (opts.redact) out.redacted = r.text;
    } else {
      out.findings = engine.scan(rec.text).map(({ type, start, end, score }) => ({ type, start, end, score }));
    }
    cli.io.out(JSON.stringify(out));
  }
}

export function registerDlpCommands(program: Command, cli: CliContext): void {
  const dlp = program.command('dlp').description('Detect and redact PII and secrets locally (no server needed)');
  dlp
    .command('scan [file]')
    .description('Scan a file or stdin (-) for PII and secrets; --redact prints the redacted text')
    .option('--redact', 'print the text with findings replaced')
    .option('--mode <mode>', 'redaction mode: mask | partial | hash | tokenize', 'mask')
    .option(
      '--block <types>',
      'comma-separated entity types that fail the command (exit 1) when found, e.g. US_SSN,CREDIT_CARD',
    )
    .option('--jsonl', 'read {"id","text"} lines and write {"id","findings"[,"redacted"]} lines')
    .option('--vault <file>', 'token vault file for --mode tokenize (restore with `gatehouse dlp restore`)')
    .option('--scope <scope>', 'vault scope (tenant or request id)', 'default')
    .action(async (file: string | undefined, opts: ScanOpts) => {
      if (opts.mode === 'tokenize' && !opts.vault && opts.redact) {
        throw new InvalidInputError('--mode tokenize needs --vault <file> so the tokens can be restored later.', [
          { path: '--vault', message: 'e.g. --vault .gatehouse/dlp-vault.json' },
        ]);
      }
      const { engine, save } = await loadEngine(cli, opts.vault);
      try {
        if (opts.jsonl) return await scanJsonl(cli, engine, file, opts);
        const text = readText(file);
        if (opts.redact || opts.block) {
          const r = engine.redact(text, policyFrom(opts));
          if (opts.redact) cli.print({ findings: r.findings, redacted: r.text }, () => r.text.replace(/\n$/, ''));
          else cli.print({ findings: r.findings }, () => `${r.findings.length} finding(s), none blocked`);
          return;
        }
        const findings = engine.scan(text);
        cli.print({ findings }, () =>
          findings.length === 0
            ? 'no findings'
            : findings
                .map(
                  (f) =>
                    `${f.type.padEnd(18)} ${String(f.start).padStart(6)}-${String(f.end).padEnd(6)} score ${f.score.toFixed(2)}  ${f.detector}`,
                )
                .join('\n'),
        );
      } finally {
        save();
      }
    });
  dlp
    .command('vault')
    .description("The server's sealed tokenization vault in GATEHOUSE_HOME")
    .command('rotate-key')
    .description(
      'Re-seal every vault entry under a new key (stop the server first); the old key stays until the vault is re-sealed',
    )
    .action(async () => {
      const [{ loadConfig }, { rotateVaultKey }] = await Promise.all([
        import('../feature-registry.js'),
        import('./vault-key-rotation.js'),
      ]);
      const home = loadConfig({ env: cli.env }).home;
      const r = rotateVaultKey(home);
      cli.print(
        { entries: r.entries, home },
        () => `re-sealed ${r.entries} vault entries under a new key in ${home}; back up dlp-vault.key with the vault`,
      );
    });
  dlp
    .command('restore [file]')
    .description('Replace vault tokens in a file or stdin with their original values (authorized use only)')
    .requiredOption('--vault <file>', 'the token vault file written by `dlp scan --redact --mode tokenize`')
    .option('--scope <scope>', 'vault scope', 'default')
    .action(async (file: string | undefined, opts: { vault: string; scope: string }) => {
      const { engine } = await loadEngine(cli, opts.vault);
      const restored = engine.restore(readText(file), opts.scope);
      cli.print({ text: restored }, () => restored.replace(/\n$/, ''));
    });
}
