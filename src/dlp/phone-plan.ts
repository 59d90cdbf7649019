// Phone number validity per region from libphonenumber-js's full metadata, compiled once into plain regexes (its
// parse + isValid costs 20-90 µs a call; these checks cost well under 1 µs, and tests hold them to its answers).
import { Metadata } from 'libphonenumber-js/core';
import metadataJson from 'libphonenumber-js/metadata.max.json';

/** The parts of libphonenumber-js's numbering plan object this file reads (present since its 1.x metadata). */
interface NumberingPlanApi {
  callingCode(): string;
  IDDPrefix(): string;
  nationalNumberPattern(): string;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  possibleLengths(): number[] | undefined;
  type(t: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
}
interface MetadataApi {
  selectNumberingPlan(country: string): void;
  numberingPlan: NumberingPlanApi;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
  hasCountry(country: string): boolean;
}

// The number types libphonenumber's isValid accepts (getNumberType returns one of them).
const TYPES = [
  'FIXED_LINE',
  'MOBILE',
  'TOLL_FREE',
  'PREMIUM_RATE',
  'PERSONAL_NUMBER',
  'VOICEMAIL',
  'UAN',
  'PAGER',
  'VOIP',
  'SHARED_COST',
];

export interface RegionPlan {
  region: string;
  callingCode: string;
  /** The trunk prefix pattern (`0` in most of Europe), anchored; undefined where there is none (Spain, Italy). */
  prefix?: RegExp;
  transform?: string;
  /** The international dialling prefix (`00`, `011` in NANP), anchored. */
  idd: RegExp;
  national: RegExp;
  types: { re: RegExp; lengths?: Set<number> }[];
  minLen: number;
  maxLen: number;
  /** Lengths of fixed-line and mobile numbers (libphonenumber's "possible" check when stripping the prefix). */
  lengths: Set<number>;
}

const newMetadata = (): MetadataApi => new Metadata(metadataJson) as unknown as MetadataApi;
/** Answers calling-code lookups (selectNumberingPlan is never called on it). */
const lookup = newMetadata();
const plans = new Map<string, RegionPlan | null>();

function compile(region: string): RegionPlan | null {
  const m = newMetadata();
  if (!m.hasCountry(region)) return null;
  m.selectNumberingPlan(region);
  const p = m.numberingPlan;
  const types: RegionPlan['types'] = [];
  for (const t of TYPES) {
    const ty = p.type(t);
    if (!ty) continue;
    const lens = ty.possibleLengths();
    types.push({ re: new RegExp(`^(?:${ty.pattern()})$`), lengths: lens ? new Set(lens) : undefined });
  }
  const all = p.possibleLengths() ?? [];
  const fm = [...(p.type('FIXED_LINE')?.possibleLengths() ?? []), ...(p.type('MOBILE')?.possibleLengths() ?? [])];
  const npp = p.nationalPrefixForParsing();
  return {
    region,
    callingCode: p.callingCode(),
    prefix: npp ? new RegExp(`^(?:${npp})`) : undefined,
    transform: p.nationalPrefixTransformRule() || undefined,
    idd: new RegExp(`^(?:${p.IDDPrefix()})`),
    national: new RegExp(`^(?:${p.nationalNumberPattern()})$`),
    types,
    minLen: Math.min(...all),
    maxLen: Math.max(...all),
    lengths: new Set(fm.length > 0 ? fm : all),
  };
}

/** The compiled plan of a region (ISO 3166 alpha-2), or undefined when libphonenumber does not know it. */
export function regionPlan(region: string): RegionPlan | undefined {
  let p = plans.get(region);
  if (p === undefined) {
    p = compile(region);
    plans.set(region, p);
  }
  return p ?? undefined;
}

/** True when `nn` (a national significant number) is a valid number of some type in the region. */
function validSignificant(plan: RegionPlan, nn: string): boolean {
  if (nn.length < plan.minLen || nn.length > plan.maxLen || !plan.national.test(nn)) return false;
  for (const t of plan.types) if ((!t.lengths || t.lengths.has(nn.length)) && t.re.test(nn)) return true;
  return false;
}

export interface NationalMatch {
  region: string;
  /** The number began with the region's trunk prefix (`0…`), the usual way national numbers are written. */
  trunk: boolean;
}

/** Strips the trunk prefix as libphonenumber does: not when the result is too short or stops being a national number
 *  while the digits as written are one. Returns the significant number and whether a prefix was taken off. */
function significant(plan: RegionPlan, digits: string): [string, boolean] {
  const m = plan.prefix?.exec(digits);
  if (!m) return [digits, false];
  const captured = m.length > 1 && m[m.length - 1] !== undefined;
  const nn = plan.transform && captured ? digits.replace(plan.prefix!, plan.transform) : digits.slice(m[0].length);
  // A transform that prepends an area code to a short local number (`462 1234` → `268 462 1234` in Antigua) is
  // not taken: a bare seven-digit number is too weak a candidate to read as a full number.
  if (nn === digits || nn.length > digits.length) return [digits, false];
  if (plan.national.test(digits) && !plan.national.test(nn)) return [digits, false];
  if (nn.length < plan.minLen || (nn.length <= plan.maxLen && !plan.lengths.has(nn.length))) return [digits, false];
  return [nn, m[0].length > 0];
}

/** The first of `regions` in which `digits` (as dialled inside the country) is a valid number. Like libphonenumber,
 *  a number valid in another country sharing the calling code counts (Manitoba's 204 with region US). */
export function matchNational(digits: string, regions: readonly RegionPlan[]): NationalMatch | undefined {
  for (const plan of regions) {
    const idd = plan.idd.exec(digits);
    if (idd) {
      // Dialled abroad from this country (`00 44 20…` in Europe, `011 44 20…` in NANP).
      const region = matchInternational(digits.slice(idd[0].length));
      if (region) return { region, trunk: true };
    }
    const [nn, trunk] = significant(plan, digits);
    if (validSignificant(plan, nn)) return { region: plan.region, trunk };
    for (const other of plansForCallingCode(plan.callingCode))
      if (other !== plan && validSignificant(other, nn)) return { region: other.region, trunk };
  }
  return undefined;
}

const byCallingCode = new Map<string, RegionPlan[]>();

function plansForCallingCode(cc: string): RegionPlan[] {
  let out = byCallingCode.get(cc);
  if (!out) {
    const codes = lookup.getCountryCodesForCallingCode(cc) ?? [];
    out = codes.map((r) => regionPlan(r)).filter((p): p is RegionPlan => p !== undefined);
    byCallingCode.set(cc, out);
  }
  return out;
}

/** For digits written after `+`: the region whose calling code prefixes them and in which the rest is valid
 *  (a trunk `0` written after the country code, as in `+44 (0)20…`, is forgiven like libphonenumber does). */
export function matchInternational(digits: string): string | undefined {
  for (let n = 1; n <= 3 && n < digits.length; n++) {
    const plansCc = plansForCallingCode(digits.slice(0, n));
    if (plansCc.length === 0) continue;
    const rest = digits.slice(n);
    for (const plan of plansCc) {
      // Only a stripped trunk prefix is forgiven, not a transform that prepends an area code to a short number.
      const [nn] = significant(plan, rest);
      if ((nn.length < rest.length && validSignificant(plan, nn)) || validSignificant(plan, rest)) return plan.region;
    }
    return undefined;
  }
  return undefined;
}
