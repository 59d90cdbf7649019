// NER through a Presidio Analyzer the team already runs: `POST /analyze`, answers mapped to UTF-16 offsets.
import { z } from 'zod';
import { UnavailableError } from '../../core/errors.js';
import { NER_ENTITIES, type NerBackend, type NerEntity, type NerSpan } from './ner-backend.js';

export interface PresidioNerOptions {
  url: string;
  language?: string;
  timeoutMs?: number;
  entities?: readonly NerEntity[];
  fetch?: typeof fetch;
}

const resultSchema = z.array(
  z.looseObject({
    entity_type: z.string(),
    start: z.number().int().min(0),
    end: z.number().int().min(0),
    score: z.number(),
  }),
);

/**
 * Presidio is Python: its offsets count code points, ours UTF-16 units. Maps code-point offsets to UTF-16 ones
 * (an emoji before a name would otherwise shift every later span by one and redact the wrong characters).
 */
export function codePointToUtf16(text: string): (cp: number) => number {
  let astral = false;
  for (let i = 0; i < text.length && !astral; i++) astral = (text.charCodeAt(i) & 0xfc00) === 0xd800;
  if (!astral) return (cp) => cp;
  const map: number[] = [];
  let u = 0;
  for (const ch of text) {
    map.push(u);
    u += ch.length;
  }
  map.push(u);
  return (cp) => map[cp] ?? -1;
}

export class NerBackendError extends UnavailableError {
  constructor(url: string, what: string) {
    super(
      `The DLP NER backend at ${url} ${what}; check dlp.ner.url and that Presidio Analyzer is running, or set dlp.ner.backend to rules.`,
      { reason: 'dlp_ner_unavailable' },
    );
  }
}

export function createPresidioNerBackend(opts: PresidioNerOptions): NerBackend {
  const base = opts.url.replace(/\/+$/, '');
  const entities = opts.entities ?? NER_ENTITIES;
  const wanted = new Set<string>(entities);
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 2000;
  return {
    name: 'ner:presidio',
    entities,
    async analyze(text, signal) {
      if (text.length === 0) return [];
      const timeout = AbortSignal.timeout(timeoutMs);
      let body: unknown;
      try {
        const res = await doFetch(`${base}/analyze`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text, language: opts.language ?? 'en', entities }),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        if (!res.ok) throw new NerBackendError(base, `answered HTTP ${res.status}`);
        body = await res.json();
      } catch (err) {
        if (err instanceof NerBackendError) throw err;
        throw new NerBackendError(base, timeout.aborted ? `did not answer within ${timeoutMs} ms` : 'is unreachable');
      }
      const parsed = resultSchema.safeParse(body);
      if (!parsed.success) throw new NerBackendError(base, 'answered something that is not a Presidio result list');
      const toUtf16 = codePointToUtf16(text);
      const out: NerSpan[] = [];
      for (const r of parsed.data) {
        if (!wanted.has(r.entity_type)) continue;
        const start = toUtf16(r.start);
        const end = toUtf16(r.end);
        // A span outside the text means the backend analysed something else: fail rather than redact blindly.
        if (start < 0 || end < 0 || end <= start || end > text.length)
          throw new NerBackendError(base, `returned a span (${r.start}-${r.end}) outside the text`);
        out.push({ type: r.entity_type as NerEntity, start, end, score: Math.min(1, Math.max(0, r.score)) });
      }
      return out;
    },
  };
}
