// Valid national identifiers for the multi-locale corpus, built from the published check-digit rules.
import type { Faker } from '@faker-js/faker';
import { verhoeffValid } from '../../src/dlp/national-id-validators.js';

export function idGenerators(f: Faker): Record<string, () => string> {
  const d = (n: number) => f.string.numeric({ length: n, allowLeadingZeros: true });
  const pick = (s: string) => f.helpers.arrayElement([...s]);
  const luhnComplete = (body: string) => {
    for (let c = 0; c < 10; c++) {
      const v = body + c;
      let sum = 0;
      for (let i = 0; i < v.length; i++) {
        let x = Number(v[v.length - 1 - i]);
        if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
        sum += x;
      }
      if (sum % 10 === 0) return v;
    }
    return body + '0';
  };
  const LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
  const nhs = (): string => {
    for (;;) {
      const b = d(9);
      let s = 0;
      for (let i = 0; i < 9; i++) s += Number(b[i]) * (10 - i);
      const c = (11 - (s % 11)) % 11;
      if (c === 10) continue;
      const v = b + c;
      return f.datatype.boolean() ? `${v.slice(0, 3)} ${v.slice(3, 6)} ${v.slice(6)}` : v;
    }
  };
  const aadhaar = (): string => {
    for (;;) {
      const b = `${f.number.int({ min: 2, max: 9 })}${d(10)}`;
      for (let c = 0; c < 10; c++)
        if (verhoeffValid(b + c)) {
          const v = b + c;
          return `${v.slice(0, 4)} ${v.slice(4, 8)} ${v.slice(8)}`;
        }
    }
  };
  const tfn = (): string => {
    const w = [1, 4, 3, 7, 5, 8, 6, 9, 10];
    for (;;) {
      const b = d(8);
      for (let c = 0; c < 10; c++) {
        const v = b + c;
        let s = 0;
        for (let i = 0; i < 9; i++) s += Number(v[i]) * w[i];
        if (s % 11 === 0) return `${v.slice(0, 3)} ${v.slice(3, 6)} ${v.slice(6)}`;
      }
    }
  };
  const medicare = (): string => {
    const b = `${f.number.int({ min: 2, max: 6 })}${d(7)}`;
    const w = [1, 3, 7, 9, 1, 3, 7, 9];
    let s = 0;
    for (let i = 0; i < 8; i++) s += Number(b[i]) * w[i];
    const v = `${b}${s % 10}${f.number.int({ min: 1, max: 9 })}`;
    return `${v.slice(0, 4)} ${v.slice(4, 9)} ${v.slice(9)}`;
  };
  const itFiscal = (): string => {
    const odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
    const up = () => f.string.alpha({ length: 1, casing: 'upper' });
    const day = String(f.number.int({ min: 1, max: 31 }) + (f.datatype.boolean() ? 40 : 0)).padStart(2, '0');
    const body = `${up()}${up()}${up()}${up()}${up()}${up()}${d(2)}${pick('ABCDEHLMPRST')}${day}${up()}${d(3)}`;
    let s = 0;
    for (let i = 0; i < 15; i++) {
      const ch = body[i];
      const v = ch >= '0' && ch <= '9' ? Number(ch) : ch.charCodeAt(0) - 65;
      s += i % 2 === 0 ? odd[v] : v;
    }
    return body + String.fromCharCode(65 + (s % 26));
  };
  const sg = (): string => {
    const b = d(7);
    const w = [2, 7, 6, 5, 4, 3, 2];
    let s = 0;
    for (let i = 0; i < 7; i++) s += Number(b[i]) * w[i];
    return `S${b}${'JZIHGFEDCBA'[s % 11]}`;
  };
  const aba = (): string => {
    for (;;) {
      const b = `${pick('0123')}${d(7)}`;
      for (let c = 0; c < 10; c++) {
        const v = b + c;
        const w = [3, 7, 1];
        let s = 0;
        for (let i = 0; i < 9; i++) s += Number(v[i]) * w[i % 3];
        if (s % 10 === 0) return v;
      }
    }
  };
  return {
    UK_NINO: () => {
      const v = `${pick('ABCEHJKLMPRSTWXYZ')}${pick('ABCEHJKLMNPRSTWXYZ')}${d(6)}${pick('ABCD')}`;
      return f.datatype.boolean() ? `${v.slice(0, 2)} ${v.slice(2, 4)} ${v.slice(4, 6)} ${v.slice(6, 8)} ${v[8]}` : v;
    },
    UK_NHS: nhs,
    CA_SIN: () => {
      const v = luhnComplete(`${pick('1234567')}${d(7)}`);
      const sep = f.helpers.arrayElement([' ', '-']);
      return `${v.slice(0, 3)}${sep}${v.slice(3, 6)}${sep}${v.slice(6)}`;
    },
    IN_AADHAAR: aadhaar,
    IN_PAN: () =>
      `${f.string.alpha({ length: 3, casing: 'upper' })}${pick('PCHF')}${f.string.alpha({ length: 1, casing: 'upper' })}${d(4)}${f.string.alpha({ length: 1, casing: 'upper' })}`,
    ES_NIF: () => {
      const n = d(8);
      return `${n}${LETTERS[Number(n) % 23]}`;
    },
    ES_NIE: () => {
      const p = pick('XYZ');
      const n = d(7);
      return `${p}${n}${LETTERS[Number('XYZ'.indexOf(p) + n) % 23]}`;
    },
    IT_FISCAL_CODE: itFiscal,
    AU_TFN: tfn,
    AU_MEDICARE: medicare,
    SG_NRIC_FIN: sg,
    US_ITIN: () => `9${d(2)}-${f.number.int({ min: 70, max: 88 })}-${d(4)}`,
    ABA_ROUTING_NUMBER: aba,
  };
}
