// PII scan of prompt templates, manifest text and code string literals through the DLP engine (types only, never values).
import type { AppManifest } from '../apps/manifest-schema.js';
import type { Finding } from './admission-types.js';
import { stringLiterals } from './static-analysis.js';

/** The slice of the DLP engine admission needs; `DlpEngine` from src/dlp satisfies it. */
export interface PiiScanner {
  scan(text: string): Array<{ type: string; start: number; end: number }>;
}

/** Manifest text fields worth scanning, with their paths. */
function manifestTexts(m: AppManifest): Array<{ path: string; text: string; prompt: boolean }> {
  const out: Array<{ path: string; text: string; prompt: boolean }> = [];
  m.spec.prompts.forEach((p, i) => out.push({ path: `spec.prompts[${i}].template`, text: p.template, prompt: true }));
  out.push({ path: 'spec.purpose', text: m.spec.purpose, prompt: false });
  if (m.metadata.description) out.push({ path: 'metadata.description', text: m.metadata.description, prompt: false });
  for (const [k, v] of Object.entries(m.metadata.labels ?? {}))
    out.push({ path: `metadata.labels.${k}`, text: v, prompt: false });
  m.spec.data.forEach((d, i) => out.push({ path: `spec.data[${i}].purpose`, text: d.purpose, prompt: false }));
  return out;
}

function typesOf(hits: Array<{ type: string }>): string[] {
  return [...new Set(hits.map((h) => h.type))].sort();
}

/** One finding per text that holds PII, naming the entity types (the values stay out of results and logs). */
export function scanForPii(manifest: AppManifest, code: Record<string, string>, scanner: PiiScanner): Finding[] {
  const findings: Finding[] = [];
  for (const t of manifestTexts(manifest)) {
    const types = typesOf(scanner.scan(t.text));
    if (!types.length) continue;
    findings.push({
      check: 'pii',
      rule: t.prompt ? 'pii-in-prompt' : 'pii-in-manifest',
      severity: 'error',
      file: 'manifest',
      path: t.path,
      message: `${t.path} contains ${types.join(', ')}; it would be sent with every request.`,
      fix: t.prompt
        ? 'Replace the value with a placeholder such as {{customer_email}} filled at run time, or remove it.'
        : 'Remove the personal data from the manifest.',
    });
  }
  for (const lit of stringLiterals(code)) {
    if (lit.text.length < 5) continue;
    const types = typesOf(scanner.scan(lit.text));
    if (!types.length) continue;
    findings.push({
      check: 'pii',
      rule: 'pii-in-code',
      severity: 'error',
      file: lit.file,
      line: lit.line,
      message: `A string in the code contains ${types.join(', ')}.`,
      fix: 'Do not hard-code personal data: read it from the input or ctx.data at run time, or remove it.',
    });
  }
  return findings;
}
