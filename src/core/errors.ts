// One error base class for Gatehouse: a stable code, an HTTP status, and a message that says what to fix.

export interface ErrorDetail {
  /** Where the problem is: a field path such as `spec.models[0].id`, a file, or a document index. */
  path?: string;
  /** What is wrong and what to do about it. */
  message: string;
}

export class GatehouseError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: ErrorDetail[];
  /** Extra machine-readable facts (decision id, retry-after seconds, ...), returned to callers. */
  readonly extra: Record<string, unknown>;

  constructor(
    code: string,
    status: number,
    message: string,
    details: ErrorDetail[] = [],
    extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.details = details;
    this.extra = extra;
  }

  toJSON(): Record<string, unknown> {
    return { error: { code: this.code, message: this.message, details: this.details, ...this.extra } };
  }
}

/** Input that does not parse or validate. CLI exit 2, HTTP 400. */
export class InvalidInputError extends GatehouseError {
  constructor(message: string, details: ErrorDetail[] = [], extra: Record<string, unknown> = {}) {
    super('invalid_input', 400, message, details, extra);
  }
}

export class PayloadTooLargeError extends GatehouseError {
  constructor(limitBytes: number) {
    super(
      'payload_too_large',
      413,
      `Request body is larger than ${limitBytes} bytes; send a smaller document or raise limits.maxBodyBytes.`,
    );
  }
}

export class UnauthenticatedError extends GatehouseError {
  constructor(
    message = 'Missing or invalid bearer token: send `Authorization: Bearer <token>` (see `gatehouse token create`).',
  ) {
    super('unauthenticated', 401, message);
  }
}

export class ForbiddenError extends GatehouseError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super('forbidden', 403, message, [], extra);
  }
}

export class NotFoundError extends GatehouseError {
  constructor(what: string, name: string, hint = '') {
    super('not_found', 404, `${what} '${name}' was not found${hint ? `; ${hint}` : ''}.`);
  }
}

export class ConflictError extends GatehouseError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super('conflict', 409, message, [], extra);
  }
}

/** A governed action refused by policy (or by deny-by-default). Carries the decision id. */
export class PolicyDeniedError extends GatehouseError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super('policy_denied', 403, message, [], extra);
  }
}

/** A budget or rate limit ran out. */
export class LimitExceededError extends GatehouseError {
  constructor(message: string, retryAfterSeconds: number, extra: Record<string, unknown> = {}) {
    super('limit_exceeded', 429, message, [], { retryAfterSeconds, ...extra });
  }
}

/** Something Gatehouse depends on is down or unusable here (upstream, tier, database). */
export class UnavailableError extends GatehouseError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super('unavailable', 503, message, [], extra);
  }
}

/** CLI exit code for an error: 2 for invalid input or usage, 1 for everything else. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof GatehouseError) return err.status === 400 || err.status === 413 ? 2 : 1;
  return 1;
}

/** Converts anything thrown into a GatehouseError; unknown errors become a 500 without leaking internals. */
export function asGatehouseError(err: unknown): GatehouseError {
  if (err instanceof GatehouseError) return err;
  return new GatehouseError('internal', 500, 'Internal error; the server log has the details.');
}
