// Replaces findings in text per policy: mask, partial (last 4 kept), salted hash, or vault token.
import { createHmac } from 'node:crypto';
import type { EntityAction, EntityType, Finding, RedactPolicy, TokenVault } from './types.js';

export function resolvePolicy(policy: RedactPolicy, type: EntityType): EntityAction {
  return policy.entities?.[type] ?? policy.default ?? 'mask';
}

/** Keeps the last 4 letters/digits and the separators; stars the rest (`***-**-6789`). */
export function partialMask(value: string): string {
  let keep = 4;
  const chars = [...value];
  for (let i = chars.length - 1; i >= 0; i--) {
    if (/[A-Za-z0-9]/.test(chars[i])) {
      if (keep > 0) keep--;
      else chars[i] = '*';
    }
  }
  // Short values would be kept whole: star them entirely instead.
  return value.replace(/[A-Za-z0-9]/g, '').length === value.length || value.length <= 4
    ? '*'.repeat(value.length)
    : chars.join('');
}

export function replacementFor(
  value: string,
  type: EntityType,
  action: EntityAction,
  policy: RedactPolicy,
  vault: TokenVault,
): string {
  switch (action) {
    case 'allow':
      return value;
    case 'partial':
      return partialMask(value);
    case 'hash':
      return `[${type}:h_${createHmac('sha256', policy.hashSalt ?? '')
        .update(`${type}\u0000${value}`)
        .digest('hex')
        .slice(0, 16)}]`;
    case 'tokenize':
      return vault.tokenize(policy.tokenScope ?? 'default', type, value);
    default:
      return `[${type}]`;
  }
}

/** Findings must be non-overlapping and sorted by start (as scan returns them). */
export function applyRedactions(
  text: string,
  findings: readonly Finding[],
  policy: RedactPolicy,
  vault: TokenVault,
): string {
  let out = '';
  let pos = 0;
  for (const f of findings) {
    out +=
      text.slice(pos, f.start) +
      replacementFor(text.slice(f.start, f.end), f.type, resolvePolicy(policy, f.type), policy, vault);
    pos = f.end;
  }
  return out + text.slice(pos);
}
