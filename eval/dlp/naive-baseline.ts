// The baseline measured beside the engine: one regex per entity over the whole text, no validation, no context.
import type { Finding } from '../../src/dlp/index.js';

const NAIVE: [string, RegExp][] = [
  ['EMAIL_ADDRESS', /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g],
  ['PHONE_NUMBER', /(?:\+?\d{1,3}[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}/g],
  ['CREDIT_CARD', /\b(?:\d[ -]?){12,18}\d\b/g],
  ['US_SSN', /\b\d{3}[- ]?\d{2}[- ]?\d{4}\b/g],
  ['IBAN_CODE', /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g],
  ['IP_ADDRESS', /\b(?:\d{1,3}\.){3}\d{1,3}\b|(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}/g],
  ['US_PASSPORT', /\b[A-Z]?\d{8,9}\b/g],
  ['US_DRIVER_LICENSE', /\b[A-Z]\d{7,12}\b/g],
  ['DATE_OF_BIRTH', /\b\d{1,2}\/\d{1,2}\/\d{4}\b|\b\d{4}-\d{2}-\d{2}\b/g],
  ['PERSON', /\b[A-Z][a-z]+ [A-Z][a-z]+\b/g],
  [
    'STREET_ADDRESS',
    /\b\d{1,6} [A-Z][a-z]+ (?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct)\b/g,
  ],
  [
    'API_KEY',
    /\b(?:AKIA[A-Z0-9]{16}|ghp_[A-Za-z0-9]{36}|xox[bp]-[A-Za-z0-9-]+|sk-[A-Za-z0-9_-]{20,}|eyJ[\w-]+\.[\w-]+\.[\w-]+)\b/g,
  ],
];

export function naiveScan(text: string): Finding[] {
  const out: Finding[] = [];
  for (const [type, re] of NAIVE) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null)
      out.push({ type, start: m.index, end: m.index + m[0].length, score: 1, detector: 'naive' });
  }
  return out;
}
