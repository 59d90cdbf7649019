// Scopes a kill switch or a cap applies to (app, app version, connector, model, user) and their O(1) keys.
import { InvalidInputError } from '../core/errors.js';
import type { GovernanceRequest } from '../core/governance.js';

export const SCOPES = ['app', 'app_version', 'connector', 'model', 'user'] as const;
export type Scope = (typeof SCOPES)[number];

/** What a request or a stream is about, by name. */
export interface ScopeRef {
  app?: string;
  appVersion?: number;
  user?: string;
  model?: string;
  connector?: string;
}

/** Normalises a scope name (`app-version` and `appVersion` are accepted) or throws naming the allowed ones. */
export function parseScope(text: string): Scope {
  const s = text
    .trim()
    .toLowerCase()
    .replace(/-/g, '_')
    .replace(/^appversion$/, 'app_version');
  if ((SCOPES as readonly string[]).includes(s)) return s as Scope;
  throw new InvalidInputError(`scope '${text}' is not one of: ${SCOPES.join(', ')}.`, [
    { path: 'scope', message: `use one of ${SCOPES.join(', ')}` },
  ]);
}

/** Checks a target id for its scope: app_version targets are `<app>@<version>`. */
export function parseTarget(scope: Scope, target: string): string {
  const t = target.trim();
  if (!t || t.length > 200)
    throw new InvalidInputError(`target '${target}' must be a non-empty name up to 200 characters.`, [
      { path: 'id', message: 'name the app, connector, model or user' },
    ]);
  if (scope === 'app_version') {
    const m = /^([^@\s]+)@(\d+)$/.exec(t);
    if (!m)
      throw new InvalidInputError(
        `app_version target '${target}' must look like <app>@<version>, e.g. support-bot@3.`,
        [{ path: 'id', message: 'use <app>@<version>' }],
      );
  }
  return t;
}

export const scopeKey = (scope: Scope, target: string): string => `${scope}:${target}`;

/** Keys a ref falls under, most specific last. */
export function keysOf(ref: ScopeRef): string[] {
  const keys: string[] = [];
  if (ref.app) {
    keys.push(scopeKey('app', ref.app));
    if (ref.appVersion !== undefined) keys.push(scopeKey('app_version', `${ref.app}@${ref.appVersion}`));
  }
  if (ref.user) keys.push(scopeKey('user', ref.user));
  if (ref.model) keys.push(scopeKey('model', ref.model));
  if (ref.connector) keys.push(scopeKey('connector', ref.connector));
  return keys;
}

/** The scope ref of a governance request: subject app/version/user plus the model or connector acted on. */
export function refOf(req: GovernanceRequest): ScopeRef {
  const r = req.resource;
  const model = r.type === 'model' ? r.id : typeof req.request.model === 'string' ? req.request.model : undefined;
  const connector =
    r.type === 'connector' ? r.id : typeof req.request.connector === 'string' ? req.request.connector : undefined;
  return { app: req.subject.app, appVersion: req.subject.appVersion, user: req.subject.user, model, connector };
}
