// Built-in API_KEY recognizers: provider key formats, private key blocks, JWTs, and high-entropy values next to key-ish words.
import { regexRecognizer, type Emit, type Recognizer } from './recognizer.js';
import { looksRandom } from './validators.js';

// One alternation for all fixed-prefix formats: a single pass over the text instead of one per provider.
const KNOWN_KEYS = new RegExp(
  [
    '\\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\\b', // AWS access key id
    '\\bgh[pousr]_[A-Za-z0-9]{36,255}\\b', // GitHub tokens
    '\\bgithub_pat_[A-Za-z0-9_]{22,255}\\b',
    '\\bglpat-[A-Za-z0-9_-]{20,}', // GitLab
    '\\bxox[abposr]-[A-Za-z0-9-]{10,}', // Slack tokens
    'https://hooks\\.slack\\.com/services/[A-Za-z0-9/]{20,}',
    '\\bsk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\\d{2}-)?[A-Za-z0-9_-]{20,}', // OpenAI / Anthropic style
    '\\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,}', // Stripe
    '\\bAIza[0-9A-Za-z_-]{35}', // Google API key
    '\\bhf_[A-Za-z0-9]{30,}', // Hugging Face
    '\\bnpm_[A-Za-z0-9]{36}\\b',
    '\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{8,}', // JWT
    '-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\\s\\S]{0,8000}?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)',
  ].join('|'),
  'g',
);

const PREFIX_HINT =
  /AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|gh[pousr]_|github_pat_|glpat-|xox|hooks\.slack|sk-|sk_|rk_|AIza|hf_|npm_|eyJ|-----BEGIN/;

const KEYWORD_VALUE =
  /(?:api[_ -]?key|apikey|secret|token|passw(?:or)?d|passwd|pwd|access[_ -]?key|private[_ -]?key|client[_ -]?secret|auth(?:orization)?|bearer|credential|x-api-key|signing[_ -]?key)\w*["']?\s*(?:[:=]|=>|:=|\s)\s*["']?(?:Bearer\s+|Basic\s+|token\s+)?([A-Za-z0-9_\-+/=.~]{16,200})/gi;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The same pattern for lower-cased text, without the slower `i` flag (its literals are lower case).
const KEYWORD_VALUE_LOWER = new RegExp(KEYWORD_VALUE.source.replace('Bearer', 'bearer').replace('Basic', 'basic'), 'g');

function runKeywordSecrets(text: string, emit: Emit, lower?: string): void {
  const re = lower !== undefined ? KEYWORD_VALUE_LOWER : KEYWORD_VALUE;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(lower ?? text)) !== null) {
    // The value keeps its case: take it from the original text at the same offsets.
    const vStart = m.index + m[0].length - m[1].length;
    const v = text.slice(vStart, vStart + m[1].length).replace(/[.=]+$/, (s) => (s.startsWith('=') ? s : ''));
    if (UUID.test(v) || !looksRandom(v)) continue;
    emit(vStart, vStart + v.length, 0.7);
  }
}

export function secretRecognizers(): Recognizer[] {
  return [
    regexRecognizer('secret_known_format', 'API_KEY', KNOWN_KEYS, 0.95, { prefilter: (t) => PREFIX_HINT.test(t) }),
    { name: 'secret_keyword_entropy', entity: 'API_KEY', run: runKeywordSecrets, usesLower: true },
  ];
}
