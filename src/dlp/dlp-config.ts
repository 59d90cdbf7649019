// The `dlp` section of gatehouse.yaml: threshold, enabled entities, allow-lists, custom detectors, default policy.
import { z } from 'zod';
import { nerConfigSchema } from './ner/ner-backend.js';
import { parseDuration } from '../core/duration.js';

export const VALIDATORS = ['none', 'luhn', 'mod97', 'us_ssn', 'aba_routing', 'entropy'] as const;
export type ValidatorName = (typeof VALIDATORS)[number];

/** The catalog's usual regions; operators add theirs with `dlp.phoneRegions`. */
export const DEFAULT_PHONE_REGIONS = ['US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'BR', 'IN', 'AU', 'CA'] as const;

const entityName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be UPPER_SNAKE_CASE, e.g. EMPLOYEE_ID');
const action = z.enum(['mask', 'partial', 'hash', 'tokenize', 'block', 'allow']);

export const customDetectorSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be lower-case letters, digits, _ or -'),
    entity: entityName,
    /** A JavaScript regular expression source (no slashes); the whole match is the finding. */
    pattern: z
      .string()
      .min(1)
      .refine((p) => {
        try {
          new RegExp(p, 'g');
          return true;
        } catch {
          return false;
        }
      }, 'is not a valid JavaScript regular expression'),
    /** `i` for case-insensitive. */
    flags: z.string().regex(/^i?$/, 'may only be "i"').default(''),
    score: z.number().min(0).max(1).default(0.6),
    validator: z.enum(VALIDATORS).default('none'),
    /** Words within ~40 characters before the match that raise the score by contextBoost. */
    context: z.array(z.string().min(1)).default([]),
    contextBoost: z.number().min(0).max(1).default(0.35),
  })
  .strict();
export type CustomDetectorConfig = z.output<typeof customDetectorSchema>;

export const dlpConfigSchema = z
  .object({
    /** Findings scoring below this are dropped. */
    threshold: z.number().min(0).max(1).default(0.5),
    /** Entity types to detect (default: all built-ins plus custom ones). */
    entities: z.array(entityName).optional(),
    allowList: z
      .object({
        /** Exact values never flagged (case-insensitive), e.g. support@example.com. */
        values: z.array(z.string().min(1)).default([]),
        /** Regular expressions; a finding whose whole text matches one is dropped. */
        patterns: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({ values: [], patterns: [] }),
    detectors: z.array(customDetectorSchema).default([]),
    /** Default redaction policy for callers that pass none. */
    policy: z
      .object({ default: action.default('mask'), entities: z.record(entityName, action).default({}) })
      .strict()
      .default({ default: 'mask', entities: {} }),
    /** Regions whose national phone formats are recognized (ISO 3166 alpha-2); numbers with a + prefix are
     *  recognized for every region. NANP (US/CA) numbers are always recognized. */
    phoneRegions: z
      .array(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 region code, e.g. GB'))
      .default([...DEFAULT_PHONE_REGIONS]),
    /** Where PERSON / LOCATION / STREET_ADDRESS / ORGANIZATION come from besides the rules: `rules` (built in, default)
     *  or `presidio` (a Presidio Analyzer's /analyze; used by scanAsync/redactAsync). */
    ner: nerConfigSchema,
    /** Streaming output DLP: text no value is completing is held at most this long / this many characters. */
    stream: z
      .object({
        maxHoldMs: z.number().int().min(0).max(10_000).default(250),
        maxHoldChars: z.number().int().min(16).max(4096).default(96),
      })
      .strict()
      .prefault({}),
    /** Salt for `hash` mode when the caller gives none; set per deployment. */
    hashSalt: z.string().default('gatehouse'),
    /** Where `tokenize` keeps token → value (the server; the CLI uses --vault files). */
    vault: z
      .object({
        /** Sealed on disk in GATEHOUSE_HOME (AES-256-GCM, key in GATEHOUSE_HOME/dlp-vault.key); false: memory only. */
        persist: z.boolean().default(true),
        /** How long a token can be restored (a duration such as 30d, or ms). */
        retention: z
          .union([
            z.number().int().positive(),
            z.string().transform((t, ctx) => {
              try {
                return parseDuration(t, 'dlp.vault.retention');
              } catch (err) {
                ctx.addIssue({ code: 'custom', message: (err as Error).message });
                return z.NEVER;
              }
            }),
          ])
          .default(30 * 86_400_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type DlpConfig = z.output<typeof dlpConfigSchema>;
export type DlpConfigInput = z.input<typeof dlpConfigSchema>;
