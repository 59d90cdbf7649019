// Public types of the DLP engine: findings, redaction policies, the token vault and the stream scanner.

/** Entity names as Microsoft Presidio names them, so results compare; custom detectors may add their own. */
export const BUILTIN_ENTITIES = [
  'EMAIL_ADDRESS',
  'PHONE_NUMBER',
  'CREDIT_CARD',
  'US_SSN',
  'IBAN_CODE',
  'IP_ADDRESS',
  'US_PASSPORT',
  'US_DRIVER_LICENSE',
  'DATE_OF_BIRTH',
  'PERSON',
  'STREET_ADDRESS',
  'API_KEY',
  'UK_NINO',
  'UK_NHS',
  'CA_SIN',
  'IN_AADHAAR',
  'IN_PAN',
  'ES_NIF',
  'ES_NIE',
  'IT_FISCAL_CODE',
  'AU_TFN',
  'AU_MEDICARE',
  'SG_NRIC_FIN',
  'US_ITIN',
  'ABA_ROUTING_NUMBER',
  'LOCATION',
  'ORGANIZATION',
] as const;
export type BuiltinEntity = (typeof BUILTIN_ENTITIES)[number];
/** A built-in entity or the name of a custom detector's entity (upper snake case). */
export type EntityType = BuiltinEntity | (string & {});

export interface Finding {
  type: EntityType;
  /** UTF-16 offset of the first character (like String.prototype.slice). */
  start: number;
  /** UTF-16 offset one past the last character. */
  end: number;
  /** 0..1 after context boosts. */
  score: number;
  /** Which recognizer produced it, e.g. `credit_card`, `custom:employee_id`. */
  detector: string;
}

/** mask → `[US_SSN]`; partial → keep the last 4 characters; hash → salted stable digest; tokenize → reversible vault token. */
export type RedactMode = 'mask' | 'partial' | 'hash' | 'tokenize';
/** What to do with one entity type: redact in a mode, block the whole text, or leave it. */
export type EntityAction = RedactMode | 'block' | 'allow';

export interface RedactPolicy {
  /** Action for entity types not listed in `entities`; default `mask`. */
  default?: EntityAction;
  entities?: Partial<Record<EntityType, EntityAction>>;
  /** Salt for `hash` (per tenant, so digests are stable within a tenant and differ across tenants). */
  hashSalt?: string;
  /** Vault namespace for `tokenize` (per tenant or per request); default `default`. */
  tokenScope?: string;
}

export interface RedactResult {
  text: string;
  /** Findings in the ORIGINAL text's offsets. */
  findings: Finding[];
}

/** Holds token → value for `tokenize`. In memory today; the interface lets the store back it later. */
export interface TokenVault {
  /** Returns the token for `value` in `scope` (the same value gets the same token within a scope). */
  tokenize(scope: string, type: EntityType, value: string): string;
  /** The original value of a token, or undefined when unknown in this scope. */
  lookup(scope: string, token: string): string | undefined;
}

export interface ScanOptions {
  /** Only report these types (default: all enabled). */
  entities?: readonly EntityType[];
  /** Override the engine's score threshold for this call. */
  threshold?: number;
}

export interface DlpEngine {
  scan(text: string, options?: ScanOptions): Finding[];
  /** Redacts per policy; throws DlpBlockedError (naming types, never values) when a `block` entity is found. */
  redact(text: string, policy?: RedactPolicy): RedactResult;
  /** Replaces vault tokens in `text` with their values; only for callers authorized to see them. */
  restore(text: string, scope?: string): string;
  /** Throws DlpBlockedError if any finding's type is in `types` (all types when omitted). */
  assertClean(text: string, types?: readonly EntityType[]): void;
  /** scan plus the configured NER backend (`dlp.ner`), merged by the same overlap rules; rejects when the backend
   *  cannot answer (callers fail closed). With the built-in rules backend it finds what scan finds. */
  scanAsync(text: string, options?: ScanOptions, signal?: AbortSignal): Promise<Finding[]>;
  /** redact over scanAsync's findings. */
  redactAsync(text: string, policy?: RedactPolicy, signal?: AbortSignal): Promise<RedactResult>;
  createStreamScanner(options?: StreamScannerOptions): StreamScanner;
  readonly vault: TokenVault;
}

export interface StreamScannerOptions {
  policy?: RedactPolicy;
  /** Upper bound on characters held back between chunks (default 256). */
  maxHoldback?: number;
  /** Clock for the hold bounds (tests); performance.now() by default. */
  now?: () => number;
}

export interface StreamScanner {
  /** Feed a chunk; returns the text that is now safe to emit (possibly empty). Throws DlpBlockedError on block. */
  push(chunk: string): string;
  /** Flushes what was held back (redacted). */
  end(): string;
  /** Findings so far, in offsets of the whole stream. */
  readonly findings: readonly Finding[];
  /** Characters currently held back (never more than maxHoldback plus the last chunk's length). */
  readonly pending: number;
  /** Ms until held text passes dlp.stream.maxHoldMs (0: now), or undefined when nothing is waiting on a bound. */
  dueIn(): number | undefined;
  /** Releases held text past its bound, all but a value still being completed (call when dueIn() elapses). */
  flush(): string;
}
