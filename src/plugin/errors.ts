import { ErrorCodes } from '../protocol/error-codes';
import type { CloudSkygearErrorClass } from './cloud-api';

/**
 * Skygear errors thrown by the plugin: the plugin's own class with the shared codes, turned into the
 * host's class where they leave the plugin (`toHostError`, applied by includeme to every lambda and
 * hook). skygear-node keeps an error's code only when it is an instance of ITS SkygearError class
 * (cloud/transport/http.js; anything else becomes 10000); our host maps any error with a numeric
 * `code` and a `message`.
 */

export class LocalSkygearError extends Error {
  readonly code: number;
  readonly info: Record<string, unknown> | null;

  constructor(message: string, code: number = ErrorCodes.UnexpectedError, info?: Record<string, unknown> | null) {
    super(message);
    this.code = code;
    this.info = info ?? null;
  }
}

export type ChatError = Error & { code: number; info?: Record<string, unknown> | null };

export function chatError(message: string, code: number, info?: Record<string, unknown>): ChatError {
  return new LocalSkygearError(message, code, info ?? null);
}

/**
 * The error to give the host for `err`: one the plugin made becomes an instance of the host's
 * SkygearError class (same message, code and info); anything else passes unchanged.
 */
export function toHostError(err: unknown, HostError: CloudSkygearErrorClass | undefined): unknown {
  if (!HostError || !(err instanceof LocalSkygearError)) return err;
  const converted = new HostError(err.message, err.code, err.info);
  converted.stack = err.stack;
  return converted;
}

export const invalidArgument = (message: string, args: string[], extra?: Record<string, unknown>): ChatError =>
  chatError(message, ErrorCodes.InvalidArgument, { arguments: args, ...extra });

export const permissionDenied = (message: string): ChatError => chatError(message, ErrorCodes.PermissionDenied);

export const notFound = (message: string): ChatError => chatError(message, ErrorCodes.ResourceNotFound);

export const notSupported = (message: string): ChatError => chatError(message, ErrorCodes.NotSupported);

export const notAuthenticated = (): ChatError =>
  chatError('Authentication is required for this action, please login.', ErrorCodes.NotAuthenticated);

/** True for errors the plugin threw on purpose (they carry a Skygear code). */
export function isChatError(err: unknown): err is ChatError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number';
}
