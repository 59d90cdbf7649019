// The NER backend contract (`dlp.ner`): PERSON, LOCATION, STREET_ADDRESS and ORGANIZATION spans for the engine to merge.
import { z } from 'zod';

/** The entity types a NER backend may report; anything else a backend returns is dropped. */
export const NER_ENTITIES = ['PERSON', 'LOCATION', 'STREET_ADDRESS', 'ORGANIZATION'] as const;
export type NerEntity = (typeof NER_ENTITIES)[number];

export interface NerSpan {
  type: NerEntity;
  /** UTF-16 offsets into the analysed text (like String.prototype.slice), whatever the backend counts in. */
  start: number;
  end: number;
  /** 0..1; the engine applies its threshold and overlap rules to it like to any rule finding. */
  score: number;
}

export interface NerBackend {
  /** Detector name reported in findings, e.g. `ner:rules`, `ner:presidio`. */
  readonly name: string;
  readonly entities: readonly NerEntity[];
  /** Spans in `text`; rejects (never resolves partially) when the backend cannot answer, so callers fail closed. */
  analyze(text: string, signal?: AbortSignal): Promise<NerSpan[]>;
}

export const nerConfigSchema = z
  .discriminatedUnion('backend', [
    z.object({ backend: z.literal('rules') }).strict(),
    z
      .object({
        backend: z.literal('presidio'),
        /** Base URL of a Presidio Analyzer (`POST {url}/analyze`), e.g. http://presidio-analyzer:3000. */
        url: z.url({ protocol: /^https?$/ }),
        language: z.string().min(2).default('en'),
        /** Per request; a slower answer is a failure (the scan fails closed). */
        timeoutMs: z.number().int().positive().max(60_000).default(2000),
        entities: z
          .array(z.enum(NER_ENTITIES))
          .min(1)
          .default([...NER_ENTITIES]),
      })
      .strict(),
  ])
  .default({ backend: 'rules' });
export type NerConfig = z.output<typeof nerConfigSchema>;
