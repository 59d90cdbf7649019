// In-memory token vault for `tokenize` redaction: random tokens per (scope, value), bounded in size.
import { randomBytes } from 'node:crypto';
import type { EntityType, TokenVault } from './types.js';

/** Tokens look like `[EMAIL_ADDRESS:tk_3f9a1c2b7d4e]`: typed so a model can still reason about them. */
export const TOKEN_RE = /\[([A-Z][A-Z0-9_]*):tk_([0-9a-f]{12})\]/g;

/** A fresh random token for a value of `type`. */
export function newToken(type: EntityType): string {
  return `[${type}:tk_${randomBytes(6).toString('hex')}]`;
}

export interface MemoryVaultOptions {
  /** Oldest entries are dropped past this many (restores of dropped tokens leave the token in place). */
  maxEntries?: number;
}

export function createMemoryVault({ maxEntries = 100_000 }: MemoryVaultOptions = {}): TokenVault {
  // Random ids, not digests of the value: a digest of a 9-digit SSN could be reversed by enumeration.
  const byValue = new Map<string, { token: string; scope: string }>();
  const byToken = new Map<string, string>();
  const key = (scope: string, s: string) => `${scope.length}:${scope}\u0000${s}`;
  return {
    tokenize(scope: string, type: EntityType, value: string): string {
      const vk = key(scope, `${type}\u0000${value}`);
      const existing = byValue.get(vk);
      if (existing) return existing.token;
      const token = newToken(type);
      byValue.set(vk, { token, scope });
      byToken.set(key(scope, token), value);
      while (byValue.size > maxEntries) {
        const [oldKey, old] = byValue.entries().next().value as [string, { token: string; scope: string }];
        byValue.delete(oldKey);
        byToken.delete(key(old.scope, old.token));
      }
      return token;
    },
    lookup(scope: string, token: string): string | undefined {
      return byToken.get(key(scope, token));
    },
  };
}
