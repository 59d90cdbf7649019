// STREET_ADDRESS beyond the US form: street name then number (`Hauptstraße 12`, `Rua das Flores 450`), UK street
// types, PO boxes in several languages, military addresses, and a tail of postal code + city (+ country line).
// Postal codes are read only as that tail of a street or box, never on their own.
import { STREET } from './name-recognizers.js';
import { hasDigit, minDigits, type Emit, type Recognizer } from './recognizer.js';

const UP = 'A-ZÀ-ÖØ-ÞĄĆČĎĘĚŁŃŇŐŒŘŚŠŤŮŰŹŻŽ';
const LO = "a-zß-öø-ÿąćčďęěłńňőœřśšťůűźżž'’\\-";
const CAP = `[${UP}][${LO}]+`;
const NB = `(?<![\\w${LO}${UP}])`;
const NUM = `\\d{1,5}(?:(?:[a-zA-Z]|[ ][A-H])(?![${LO}${UP}]))?(?:[-/]\\d{1,4}[a-zA-Z]?)?(?:[ ](?:I{1,3}|IV|bis|ter)\\b)?`;
/** `calle` → `[Cc]alle`: type words match capitalized or not, without making the whole pattern case-insensitive. */
const anyCase = (words: string) =>
  words
    .split('|')
    .map((w) => (/^[a-z]/.test(w) ? `[${w[0].toUpperCase()}${w[0]}]${w.slice(1)}` : w))
    .join('|');

// One-word street names ending in a street type (German, Dutch, Nordic, Finnish), then the house number.
const COMPOUND =
  'straße|strasse|str\\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|steig|pfad|hof|vej|gade|vænget|vang|allé|stræde|torv|plads|väg|vägen|gatan|gata|gränd|gränden|stigen|backen|torget|allén|tie|katu|polku|kuja|kaari|rinne|väylä|aukio|ranta|straat|laan|gracht|plein|dijk|kade|singel|steeg|markt|park|plantsoen|hof';
// Street-type words before the name (Spanish, Italian, Portuguese, French, Polish).
const PREFIX_WORDS =
  'calle|c/|avenida|avda\\.|av\\.|paseo|plaza|camino|carretera|ronda|travesía|pasaje|glorieta|urbanización|cuesta|subida|bajada|rambla|senda|polígono|prolongación|puente|acceso|barrio|vía|via|viale|piazza|piazzale|corso|largo|strada|vicolo|contrada|borgo|salita|lungomare|località|rotonda|rua|travessa|praça|alameda|estrada|rodovia|ladeira|marginal|viela|rue|avenue|boulevard|place|chemin|allée|impasse|quai|cours|route|square|passage|ul\\.|ulica|al\\.|aleja|pl\\.|plac|skwer|os\\.|osiedle|rondo|rynek|szosa|wyb\\.|bulwar';
const PREFIX = anyCase(PREFIX_WORDS);
/** A gate run on the lower-cased text: a plain alternation of words, no case classes. */
const lowerGate = (words: string) => new RegExp(`(?:${words})[ ]`);
const PARTICLE =
  "(?:(?:de|del|de la|de los|de las|das|dos|da|do|di|della|delle|dei|degli|du|des|d'|la|le|les|l'|van|von|der|den)\\s)";
// Separate street-type words after the name (Hungarian, Swedish, Danish).
const AFTER = 'utca|u\\.|út|tér|körút|köz|sor|fasor|főút|sétány|rakpart|dűlő|lejtő|udvar|Väg|Gata|Gränd|Vej|Gade';
// UK street types the USPS list (the US recognizer) lacks.
const UK =
  'Close|Garth|Mead|Fold|Yard|Side|Grange|Croft|Rise|Wharf|Gate|Wynd|Brow|Nook|Chase|Cottages|End|Approach|Parade|Promenade|Quay|Top|Bank';
const BOX =
  '(?:P\\.?\\s?O\\.?\\s*Box|Postfach|Postboks|Postbus|Apartado(?: de correos)?|Caixa Postal|Casella Postale|Skrytka pocztowa|Boîte postale|Postilokero)';
// Box words too short to stand alone (`Box 12` is also a shelf): only with a postal tail.
const SHORT_BOX = '(?:Box|BP|B\\.P\\.|Pf\\.|PL)';
const PREP =
  '(?:Am|An der|An den|An dem|Auf dem|Auf der|Im|In der|In den|Zum|Zur|Unter den|Hinter der|Vor dem|Alte|Alter|Neue|Neuer)';

// Postal code then city, optionally a country line: `, 4873 Ejby`, `\n5153 Rudkøbing\nSpanien`, `, SW1A 1AA London`.
const POSTCODE =
  '(?:\\d{4,5}(?:-\\d{3,4})?|\\d{2}-\\d{3}|\\d{3}\\s\\d{2}|[A-Z]{1,2}\\d[A-Z\\d]{0,2}\\s\\d[A-Z\\d]{1,2}|\\d{4}\\s?[A-Z]{2})';
// City words without hyphens inside: the hyphen is only the separator, or `Aa-Aa-…` backtracks quadratically.
const WORD = `[${UP}][${LO.replace("'’\\-", "'’")}]+`;
const CITY = `${WORD}(?:[ -](?:${WORD}|[a-z]{2,4}))*`;
const TAIL = new RegExp(
  `(?:,[ \\t]*|[ \\t]*\\n[ \\t]*)${POSTCODE}[ \\t]+${CITY}(?:[ \\t]*\\n[ \\t]*${WORD}(?:[ -]${WORD}|\\s\\([^)\\n]{1,30}\\)){0,3}(?=[ \\t]*(?:\\n|$)))?`,
  'y',
);

/** A form: its pattern, score, whether it needs a postal tail, and a cheap gate the text must pass first (most
 *  texts have no street type word next to a number: one literal scan instead of a pattern tried at every capital). */
type Form = [re: RegExp, score: number, needsTail: boolean, gate?: RegExp];
const g = (src: string) => new RegExp(src, 'g');
const FORMS: Form[] = [
  [
    g(`${NB}(?:${CAP}\\.?[ ])?[${UP}][${LO}]*(?:${COMPOUND})[ ]${NUM}(?![\\w.,]\\d)`),
    0.9,
    false,
    new RegExp(`(?:${COMPOUND})[ ]\\d`),
  ],
  [
    g(`${NB}(?:${CAP}[ ]){1,2}(?:${AFTER})[ ]${NUM}(?!\\w)`),
    0.9,
    false,
    new RegExp(`[ ](?:${AFTER.toLowerCase()})[ ]\\d`),
  ],
  [
    g(
      `${NB}(?:\\d{1,5}(?:[ ]?(?:bis|ter))?,?[ ]+)?(?:${PREFIX})[ ]+${PARTICLE}*${CAP}(?:[ ]+${PARTICLE}*${CAP}){0,3}(?:,?[ ]+(?:${NUM}|s/n\\.?|nº[ ]?\\d{1,5}))?`,
    ),
    0.9,
    false,
    lowerGate(PREFIX_WORDS),
  ],
  [g(`(?<![\\w.-])\\d{1,5}[A-Za-z]?[ ]+(?:${CAP}[ ]+){1,3}(?:${UK})\\b`), 0.9, false, new RegExp(`[ ](?:${UK})\\b`)],
  [g(`${NB}${BOX}[ ]+\\d{1,6}(?:[ ]\\d{2,4})?\\b`), 0.85, false, new RegExp(`${BOX.toLowerCase()}[ ]+\\d`)],
  [g(`${NB}${SHORT_BOX}[ ]+\\d{1,6}\\b`), 0.85, true],
  [g(`${NB}${PREP}[ ]${CAP}[ ]${NUM}\\b`), 0.85, true],
  [g(`${NB}(?:${CAP}[ ]){0,2}${CAP}[ ]${NUM}\\b`), 0.85, true],
  [
    g(`\\b(?:PSC|CMR|Unit)[ ]\\d{3,5},?[ ]+Box[ ]\\d{1,5},?[ ]+(?:APO|FPO|DPO)[ ]A[AEP][ ]\\d{5}\\b`),
    0.95,
    false,
    /\b[ADF]PO\b/,
  ],
  // The US form, only when a postal tail follows (without one, the US recognizer already has it).
  [STREET, 0.95, true],
];
// Some postal tail somewhere: forms that need one are skipped without it.
const TAIL_GATE = new RegExp(`(?:,[ \\t]*|\\n[ \\t]*)${POSTCODE}[ \\t]+[${UP}]`);

/** Prefix-type matches need a house number, or a postal tail, to count (`Via Roma` alone is just a street name). */
const HAS_NUMBER = /\d|s\/n/;

// Gates that read the text lower-cased (the UK and military ones are case-sensitive on purpose).
const LOWER_GATES = new Set([1, 2, 4]);

/**
 * Where an address can be: around a number next to a space (`Hauptstraße 12`, `239 Place`, `Box 12`). Merged
 * [start, end) windows snapped outward to whitespace, or none: prose without such numbers costs one scan.
 */
function numberWindows(text: string): [number, number][] {
  const out: [number, number][] = [];
  NEAR_NUMBER.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = NEAR_NUMBER.exec(text)) !== null) {
    let s = Math.max(0, m.index - 64);
    let e = Math.min(text.length, m.index + 96);
    for (let k = 0; k < 32 && s > 0 && text.charCodeAt(s - 1) > 32; k++) s--;
    for (let k = 0; k < 32 && e < text.length && text.charCodeAt(e) > 32; k++) e++;
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
    NEAR_NUMBER.lastIndex = Math.max(NEAR_NUMBER.lastIndex, e - 96);
  }
  return out;
}
const NEAR_NUMBER = /[ ]\d|\d[ ]/g;

function runIntlAddress(text: string, emit: Emit, lower?: string): void {
  if (!hasDigit(text)) return;
  const windows = numberWindows(text);
  if (windows.length === 0) return;
  const tailSomewhere = TAIL_GATE.test(text);
  const low = lower ?? text.toLowerCase();
  for (const [ws, we] of windows) {
    const t = ws === 0 && we === text.length ? text : text.slice(ws, we);
    const l = ws === 0 && we === text.length ? low : low.slice(ws, we);
    for (let k = 0; k < FORMS.length; k++) {
      const [re, score, needsTail, gate] = FORMS[k];
      if (needsTail ? !tailSomewhere : gate && !gate.test(LOWER_GATES.has(k) ? l : t)) continue;
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(t)) !== null) {
        let end = ws + m.index + m[0].length;
        TAIL.lastIndex = end;
        const tail = TAIL.exec(text);
        if (tail) end += tail[0].length;
        else if (needsTail || !HAS_NUMBER.test(m[0])) continue;
        emit(ws + m.index, end, tail ? Math.min(1, score + 0.05) : score);
      }
    }
  }
}

export function intlAddressRecognizer(): Recognizer {
  return {
    name: 'street_address_intl',
    entity: 'STREET_ADDRESS',
    run: runIntlAddress,
    usesLower: true,
    gate: minDigits(1),
  };
}
