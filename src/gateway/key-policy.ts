// What a gateway key may do (expiry, models, rpm/tpm, daily and monthly budgets, source CIDRs, metadata) and the
// pure checks the gateway runs against it: expiry, model patterns and source address (ipaddr.js).
import ipaddr from 'ipaddr.js';
import { ForbiddenError, InvalidInputError, UnauthenticatedError } from '../core/errors.js';
import { parseSeconds } from '../core/duration.js';

export const KEY_KINDS = ['app', 'service'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

/** Default lifetime of a new key: 90 days. Keys created before expiry existed keep none (documented). */
export const DEFAULT_KEY_TTL_SECONDS = 90 * 86_400;

export interface KeyLimits {
  /** Catalog model names or glob patterns (`gpt-*`); absent = every model the app may call. */
  models?: string[];
  rpm?: number;
  tpm?: number;
  dailyUsd?: number;
  monthlyUsd?: number;
  /** Source networks (IPv4/IPv6 CIDRs or single addresses); absent = any source. */
  cidrs?: string[];
  /** Service keys: the apps the key may call as (x-gatehouse-app); absent = any app. */
  apps?: string[];
}

export interface KeyMetadata {
  team?: string;
  costCenter?: string;
  labels?: Record<string, string>;
}

/** What the gateway knows about the key a call came with (never its secret). */
export interface KeyGrant {
  id: string;
  kind: KeyKind;
  /** Service keys: `team:<name>` or `user:<name>`. */
  owner?: string;
  expiresAt?: number;
  limits: KeyLimits;
  metadata: KeyMetadata;
}

/** `never` only when asked for explicitly; default 90 days. Returns the expiry (epoch ms) or undefined. */
export function expiryOf(ttl: string | undefined, now: number): number | undefined {
  if (ttl === undefined || ttl === '') return now + DEFAULT_KEY_TTL_SECONDS * 1000;
  if (ttl.trim().toLowerCase() === 'never') return undefined;
  return now + parseSeconds(ttl, 'ttl') * 1000;
}

/** Validates limits at creation so the hot path never meets a malformed CIDR or pattern. */
export function checkLimits(l: KeyLimits): KeyLimits {
  for (const c of l.cidrs ?? []) {
    if (!validCidr(c))
      throw new InvalidInputError(
        `cidrs: '${c}' is not an IPv4/IPv6 address or CIDR (e.g. 10.0.0.0/8, 2001:db8::/32).`,
        [{ path: 'cidrs', message: `invalid CIDR '${c}'` }],
      );
  }
  for (const m of l.models ?? [])
    if (!/^[A-Za-z0-9._:/*?-]{1,128}$/.test(m))
      throw new InvalidInputError(`models: '${m}' is not a model name or pattern (letters, digits, . _ : / - * ?).`, [
        { path: 'models', message: `invalid pattern '${m}'` },
      ]);
  return l;
}

function validCidr(c: string): boolean {
  try {
    if (c.includes('/')) ipaddr.parseCIDR(c);
    else ipaddr.parse(c);
    return true;
  } catch {
    return false;
  }
}

const patternCache = new Map<string, RegExp>();
function patternOf(p: string): RegExp {
  let re = patternCache.get(p);
  if (!re) {
    const body = p
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`);
    if (patternCache.size < 10_000) patternCache.set(p, re);
  }
  return re;
}

export function modelAllowed(limits: KeyLimits, model: string): boolean {
  return !limits.models?.length || limits.models.some((p) => patternOf(p).test(model));
}

/** True when `ip` (as the socket or a trusted proxy reports it) is inside one of `cidrs`. Unparseable = outside. */
export function ipAllowed(cidrs: string[] | undefined, ip: string | undefined): boolean {
  if (!cidrs?.length) return true;
  if (!ip) return false;
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(ip.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return false;
  }
  return cidrs.some((c) => {
    try {
      let [net, bits] = c.includes('/') ? ipaddr.parseCIDR(c) : hostRange(c);
      if (net.kind() === 'ipv6' && (net as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
        net = (net as ipaddr.IPv6).toIPv4Address();
        bits -= 96;
      }
      return addr.kind() === net.kind() && addr.match(net, bits);
    } catch {
      return false;
    }
  });
}

function hostRange(c: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  const a = ipaddr.process(c);
  return [a, a.kind() === 'ipv4' ? 32 : 128];
}

/** The TCP peer, and the X-Forwarded-For header a proxy added. */
export interface SourceAddress {
  peer?: string;
  forwardedFor?: string;
}

/** The address a key's networks are checked against: the peer, or behind trusted proxies the rightmost untrusted hop. */
export function clientIp(s: SourceAddress, trustedProxies: string[]): string | undefined {
  if (!s.peer || !trustedProxies.length || !s.forwardedFor || !ipAllowed(trustedProxies, s.peer)) return s.peer;
  const hops = s.forwardedFor
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!ipAllowed(trustedProxies, hops[i])) return hops[i];
  return hops[0] ?? s.peer;
}

/** Refuses an expired key or a source outside its networks (401 / 403 naming the reason and the key id). */
export function checkKeyAccess(g: KeyGrant, now: number, ip: string | undefined): void {
  if (g.expiresAt !== undefined && now >= g.expiresAt)
    throw new UnauthenticatedError(
      `Key ${g.id} expired at ${new Date(g.expiresAt).toISOString()}; rotate it (\`gatehouse key rotate ${g.id}\`) or create a new one.`,
    );
  if (!ipAllowed(g.limits.cidrs, ip))
    throw new ForbiddenError(
      `Key ${g.id} may not be used from ${ip ?? 'an unknown address'}: its allowed networks are ${g.limits.cidrs!.join(', ')}.`,
      { keyId: g.id, reason: 'source_ip' },
    );
}

/** The app a service key calls as: the x-gatehouse-app header, within the key's allowed apps. */
export function serviceAppOf(g: KeyGrant, app: string | undefined): string {
  if (!app)
    throw new InvalidInputError(
      `Key ${g.id} is a service key (${g.owner}): name the app you call as with the header x-gatehouse-app: <app>.`,
      [{ path: 'x-gatehouse-app', message: 'required with a service key' }],
    );
  if (g.limits.apps?.length && !g.limits.apps.includes(app))
    throw new ForbiddenError(
      `Service key ${g.id} may not call as app '${app}' (allowed: ${g.limits.apps.join(', ')}).`,
      {
        keyId: g.id,
        reason: 'app_not_allowed',
      },
    );
  return app;
}

/** Refuses a model outside the key's list (403 naming model and key). */
export function checkKeyModel(g: KeyGrant | undefined, model: string, decisionId?: string): void {
  if (g && !modelAllowed(g.limits, model))
    throw new ForbiddenError(
      `Model '${model}' is not allowed for key ${g.id} (allowed: ${g.limits.models!.join(', ')}); use one of those models or a key that allows it.`,
      { keyId: g.id, model, reason: 'model_not_allowed', ...(decisionId ? { decisionId } : {}) },
    );
}
