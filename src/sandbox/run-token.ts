// Short-lived run tokens (HS256 JWT via jose) bound to app, version, user and run; the only credential a run holds.
import { jwtVerify, SignJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { UnauthenticatedError } from '../core/errors.js';

export interface RunClaims {
  app: string;
  version: number;
  user: string;
  run: string;
  /** Epoch seconds. */
  exp: number;
}

const ISSUER = 'gatehouse/sandbox';

export class RunTokens {
  private readonly key: Uint8Array;
  /** @param secret signing key; a random per-process key when absent (tokens never outlive the process's runs). */
  constructor(
    private readonly clock: Clock,
    secret?: Uint8Array,
  ) {
    this.key = secret ?? new Uint8Array(randomBytes(32));
  }

  async issue(c: Omit<RunClaims, 'exp'>, ttlMs: number): Promise<{ token: string; claims: RunClaims }> {
    const now = Math.floor(this.clock.now() / 1000);
    const exp = now + Math.max(1, Math.ceil(ttlMs / 1000));
    const token = await new SignJWT({ app: c.app, ver: c.version, run: c.run })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(c.user)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, claims: { ...c, exp } };
  }

  async verify(token: string): Promise<RunClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        algorithms: ['HS256'],
        currentDate: new Date(this.clock.now()),
      });
      if (
        typeof payload.app !== 'string' ||
        typeof payload.ver !== 'number' ||
        typeof payload.run !== 'string' ||
        typeof payload.sub !== 'string' ||
        typeof payload.exp !== 'number'
      ) {
        throw new Error('claims');
      }
      return { app: payload.app, version: payload.ver, user: payload.sub, run: payload.run, exp: payload.exp };
    } catch {
      throw new UnauthenticatedError('run token is invalid or expired; start a new run');
    }
  }

  /** True while the claims are unexpired (checked on every capability call without re-verifying the signature). */
  live(claims: RunClaims): boolean {
    return this.clock.now() < claims.exp * 1000;
  }
}
