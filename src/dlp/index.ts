// Public surface of the DLP engine: import from here, not from the files behind it.
export type {
  BuiltinEntity,
  EntityType,
  Finding,
  RedactMode,
  EntityAction,
  RedactPolicy,
  RedactResult,
  TokenVault,
  ScanOptions,
  DlpEngine,
  StreamScanner,
  StreamScannerOptions,
} from './types.js';
export { BUILTIN_ENTITIES } from './types.js';
export { DlpBlockedError } from './dlp-errors.js';
export {
  dlpConfigSchema,
  customDetectorSchema,
  type DlpConfig,
  type DlpConfigInput,
  type CustomDetectorConfig,
} from './dlp-config.js';
export { createDlpEngine } from './engine.js';
export { createMemoryVault } from './vault.js';
export {
  NER_ENTITIES,
  nerConfigSchema,
  type NerBackend,
  type NerEntity,
  type NerSpan,
  type NerConfig,
} from './ner/ner-backend.js';
export { createRulesNerBackend } from './ner/rules-ner-backend.js';
export { createPresidioNerBackend, NerBackendError } from './ner/presidio-ner-backend.js';
