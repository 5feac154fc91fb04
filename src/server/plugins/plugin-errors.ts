import { isConnectionLost } from '../core/connection-errors';
import { ErrorCodes, SkygearError } from '../core/errors';
import { CoreSkygearError } from './in-process/skygear-core';

/** What Go answers when a plugin error has an empty message (plugin/common/json.go). */
export const EMPTY_PLUGIN_ERROR_MESSAGE = 'An unexpected error has occurred in the plugin.';

/** Thrown at startup when cloud code registers something the host cannot accept. */
export class PluginRegistrationError extends Error {
  override readonly name = 'PluginRegistrationError';
}

/**
 * What cloud code threw, as the client will see it. skygear-core's SkygearError and ours keep their
 * code, message and info; anything else becomes 10000 with `String(err)` (skygear-node uses
 * `err.toString()`, so `new Error('boom')` reads "Error: boom").
 */
export function fromCloudCodeError(err: unknown): SkygearError {
  if (err instanceof SkygearError) return err;
  if (err instanceof CoreSkygearError || looksLikeSkygearError(err)) {
    const e = err as { message: string; code: number; info?: Record<string, unknown> | null };
    return new SkygearError(e.message, e.code || ErrorCodes.UnexpectedError, e.info ?? undefined);
  }
  if (isConnectionLost(err)) return SkygearError.from(err);
  return new SkygearError(String(err), ErrorCodes.UnexpectedError);
}

/** A SkygearError from another copy of either module (e.g. a plugin bundled with its own skygear-core). */
function looksLikeSkygearError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { code?: unknown };
  return err.constructor?.name === 'SkygearError' && typeof e.code === 'number';
}

/** `{"error": {...}}` from a plugin over the wire (§2.2): missing code → 10000, empty message → Go's text. */
export function fromWireError(error: unknown): SkygearError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown; info?: unknown };
  const code = typeof e.code === 'number' && e.code !== 0 ? e.code : ErrorCodes.UnexpectedError;
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : EMPTY_PLUGIN_ERROR_MESSAGE;
  const info = typeof e.info === 'object' && e.info !== null ? (e.info as Record<string, unknown>) : undefined;
  return new SkygearError(message, code, info);
}
