import { ErrorCodes, type ErrorName } from '../../protocol/error-codes';
import { isConnectionLost } from './connection-errors';

/**
 * Skygear error codes and the one error class every layer throws.
 *
 * The codes are the shared table in protocol/error-codes.ts (the chat plugin throws the same ones);
 * this is the only place their names and HTTP statuses are tied to the error class.
 */
export { ErrorCodes, type ErrorCode, type ErrorName } from '../../protocol/error-codes';

const namesByCode = new Map<number, ErrorName>(
  (Object.keys(ErrorCodes) as ErrorName[]).map((name) => [ErrorCodes[name], name]),
);

/** HTTP status Go uses for each code (router/errors.go); codes not listed answer 500. */
const statusByCode: Record<number, number> = {
  101: 401, 103: 401, 104: 401, 105: 401, 106: 401,
  102: 403, 123: 403, 124: 403, 127: 403, 128: 403,
  107: 400, 108: 400, 120: 400,
  109: 409, 113: 409, 114: 409, 115: 409,
  110: 404, 117: 404,
  111: 501, 112: 501,
  118: 503, 121: 503, 122: 503, 125: 503, 10002: 503,
  119: 504,
  116: 200,
};

export function errorNameOf(code: number): string {
  return namesByCode.get(code) ?? `ErrorCode(${code})`;
}

export function httpStatusOf(code: number): number {
  return statusByCode[code] ?? 500;
}

export interface SkygearErrorJSON {
  name: string;
  code: number;
  message: string;
  info?: Record<string, unknown>;
}

export class SkygearError extends Error {
  readonly code: number;
  readonly info?: Record<string, unknown>;
  /** Overrides the status derived from the code (Go's pre-stage statuses, e.g. 401 for admin checks). */
  readonly status?: number;

  constructor(message: string, code: number = ErrorCodes.UnexpectedError, info?: Record<string, unknown>, status?: number) {
    super(message);
    this.code = code;
    this.info = info;
    this.status = status;
  }

  override get name(): string {
    return errorNameOf(this.code);
  }

  get httpStatus(): number {
    return this.status ?? httpStatusOf(this.code);
  }

  toJSON(): SkygearErrorJSON {
    const out: SkygearErrorJSON = { name: this.name, code: this.code, message: this.message };
    if (this.info && Object.keys(this.info).length > 0) out.info = this.info;
    return out;
  }

  /** Wraps anything thrown into a SkygearError; a lost DB connection is 10002; other unknown errors 10000. */
  static from(err: unknown): SkygearError {
    if (err instanceof SkygearError) return err;
    if (isErrorLike(err)) return new SkygearError(err.message, err.code, err.info);
    if (isConnectionLost(err)) {
      return new SkygearError('the database is unavailable at the moment, please retry', ErrorCodes.UnexpectedUnableToOpenDatabase);
    }
    const message = err instanceof Error ? err.message : String(err);
    return new SkygearError(message || 'An unexpected error has occurred', ErrorCodes.UnexpectedError);
  }
}

/** Errors thrown by cloud code (skygear-core SkygearError) carry `code` and `message`. */
function isErrorLike(err: unknown): err is { code: number; message: string; info?: Record<string, unknown> } {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown };
  return typeof e.code === 'number' && e.code > 0 && typeof e.message === 'string';
}

export const invalidArgument = (message: string, args?: string[]): SkygearError =>
  new SkygearError(message, ErrorCodes.InvalidArgument, args ? { arguments: args } : undefined);

export const permissionDenied = (message = 'no permission to perform operation'): SkygearError =>
  new SkygearError(message, ErrorCodes.PermissionDenied);

export const notFound = (message = 'record not found'): SkygearError =>
  new SkygearError(message, ErrorCodes.ResourceNotFound);

export const notSupported = (message: string): SkygearError => new SkygearError(message, ErrorCodes.NotSupported);
