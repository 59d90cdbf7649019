// What the egress guard and the bridge need from DLP: find sensitive entity types in text, optionally redact.
import type { DlpEngine } from '../dlp/types.js';

export interface OutboundScanner {
  /** Entity types found in `text` (empty when clean). Never returns the values. */
  scan(text: string): string[];
  /** Returns `text` with findings masked, when the scanner supports it. */
  redact?(text: string): string;
}

/** Adapts the DLP engine (src/dlp) to the scanner the connectors use. */
export function scannerFromDlp(engine: DlpEngine): OutboundScanner {
  return {
    scan: (text) => engine.scan(text).map((f) => f.type),
    redact: (text) => engine.redact(text, { default: 'mask' }).text,
  };
}
