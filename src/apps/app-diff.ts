// Differences between two app versions: changed manifest fields by path, and unified diffs of code files.
import type { z } from 'zod';
import type { appDiffSchema } from './app-api-schemas.js';
import { createTwoFilesPatch } from 'diff';
import type { AppVersion } from './manifest-schema.js';

export interface FieldChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

export type AppVersionDiff = z.output<typeof appDiffSchema>;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function diffValues(a: unknown, b: unknown, path = ''): FieldChange[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => {
      const p = path ? `${path}.${k}` : k;
      if (!(k in a)) return [{ path: p, change: 'added' as const, after: b[k] }];
      if (!(k in b)) return [{ path: p, change: 'removed' as const, before: a[k] }];
      return diffValues(a[k], b[k], p);
    });
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: FieldChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const p = `${path}[${i}]`;
      if (i >= a.length) out.push({ path: p, change: 'added', after: b[i] });
      else if (i >= b.length) out.push({ path: p, change: 'removed', before: a[i] });
      else out.push(...diffValues(a[i], b[i], p));
    }
    return out;
  }
  return [{ path: path || '(root)', change: 'changed', before: a, after: b }];
}

export function diffVersions(from: AppVersion, to: AppVersion): AppVersionDiff {
  const files = [...new Set([...Object.keys(from.code), ...Object.keys(to.code)])].sort();
  const code = files.flatMap((f) => {
    const a = from.code[f];
    const b = to.code[f];
    if (a === b) return [];
    const change = a === undefined ? 'added' : b === undefined ? 'removed' : 'changed';
    return [
      {
        file: f,
        change: change as 'added' | 'removed' | 'changed',
        patch: createTwoFilesPatch(`v${from.version}/${f}`, `v${to.version}/${f}`, a ?? '', b ?? ''),
      },
    ];
  });
  return {
    app: to.app,
    from: { version: from.version, hash: from.hash },
    to: { version: to.version, hash: to.hash },
    manifest: diffValues(from.manifest, to.manifest),
    code,
  };
}
