import { ErrorCodes } from '../protocol/error-codes';
import type { CloudSkygearErrorClass } from './cloud-api';

/**
 * Skygear errors thrown by the plugin.
 *
 * skygear-node keeps an error's code only when it is an instance of ITS SkygearError class
 * (cloud/transport/http.js; anything else becomes 10000), so once includeme has run we build errors
 * with `skygearCloud.SkygearError`. Before that (unit tests) a local class with the same shape is used;
 * our host maps any error with a numeric `code` and a `message`.
 */
export const ChatErrorCodes = ErrorCodes;

export class LocalSkygearError extends Error {
  readonly code: number;
  readonly info: Record<string, unknown> | null;

  constructor(message: string, code: number = ChatErrorCodes.UnexpectedError, info?: Record<string, unknown> | null) {
    super(message);
    this.code = code;
    this.info = info ?? null;
  }
}

let ErrorClass: CloudSkygearErrorClass = LocalSkygearError;

/** Called by includeme with the runtime's SkygearError class. */
export function useErrorClass(cls: CloudSkygearErrorClass | undefined): void {
  ErrorClass = cls ?? LocalSkygearError;
}

export type ChatError = Error & { code: number; info?: Record<string, unknown> | null };

export function chatError(message: string, code: number, info?: Record<string, unknown>): ChatError {
  return new ErrorClass(message, code, info ?? null) as ChatError;
}

export const invalidArgument = (message: string, args: string[], extra?: Record<string, unknown>): ChatError =>
  chatError(message, ChatErrorCodes.InvalidArgument, { arguments: args, ...extra });

export const permissionDenied = (message: string): ChatError => chatError(message, ChatErrorCodes.PermissionDenied);

export const notFound = (message: string): ChatError => chatError(message, ChatErrorCodes.ResourceNotFound);

export const notSupported = (message: string): ChatError => chatError(message, ChatErrorCodes.NotSupported);

export const notAuthenticated = (): ChatError =>
  chatError('Authentication is required for this action, please login.', ChatErrorCodes.NotAuthenticated);

/** True for errors the plugin threw on purpose (they carry a Skygear code). */
export function isChatError(err: unknown): err is ChatError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number';
}
