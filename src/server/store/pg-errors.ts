import { isConnectionLost } from '../core/connection-errors';
import { ErrorCodes, SkygearError } from '../core/errors';

/** A PostgreSQL error as node-postgres and PGlite report it (SQLSTATE in `code`). */
interface PgError {
  code: string;
  message: string;
  constraint?: string;
  detail?: string;
}

export function isPgError(err: unknown): err is PgError {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((err as { code: string }).code);
}

export const sqlState = (err: unknown): string | undefined => (isPgError(err) ? err.code : undefined);

/** Deadlock / serialization failure: the whole transaction may simply be run again. */
export const isRetryableConflict = (err: unknown): boolean => ['40P01', '40001'].includes(sqlState(err) ?? '');

/** Another node dropped or renamed what our cached catalog still lists. */
export const isUndefinedObject = (err: unknown): boolean => ['42703', '42P01'].includes(sqlState(err) ?? '');

export type Operation = 'save' | 'delete' | 'read';

/** SQLSTATE → Skygear error (Part A §4.5/§4.8); SkygearErrors pass through, anything else → 10000. */
export function toSkygearError(err: unknown, op: Operation): SkygearError {
  if (err instanceof SkygearError) return err;
  if (!isPgError(err) || isConnectionLost(err)) return SkygearError.from(err);
  switch (err.code) {
    case '23505':
      return new SkygearError('violate unique constraint', ErrorCodes.Duplicated, err.constraint ? { constraint: err.constraint } : undefined);
    case '23503':
      return op === 'delete'
        ? new SkygearError('record is referenced by other records', ErrorCodes.ConstraintViolated)
        : new SkygearError(err.message, ErrorCodes.UnexpectedError);
    case '22P02': // invalid_text_representation
    case '22007': // invalid_datetime_format
    case '22008': // datetime_field_overflow
    case '22003': // numeric_value_out_of_range
    case '22023': // invalid_parameter_value
    case '2201B': // invalid_regular_expression
    case '22025': // invalid_escape_sequence (LIKE patterns)
      return new SkygearError(err.message, ErrorCodes.InvalidArgument);
    default:
      return new SkygearError(err.message, ErrorCodes.UnexpectedError);
  }
}
