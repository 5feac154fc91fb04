import { ErrorCodes, SkygearError } from '../../core/errors';
import type { PluginContext } from '../context';
import { fromWireError } from '../plugin-errors';

/**
 * The plugin transport envelope (Part B §2.2), sent as one HTTP POST per call.
 * Server → plugin: `{kind, name?, param?, context?}` (empty parts left out, as Go does).
 * Plugin → server: `{result}` or `{error: {code, message, info}}`; the HTTP status is ignored.
 */
export type EnvelopeKind = 'event' | 'op' | 'hook' | 'handler' | 'timer' | 'provider';

export interface Envelope {
  kind: EnvelopeKind;
  name?: string;
  param?: unknown;
  context?: PluginContext;
}

export function envelope(kind: EnvelopeKind, name: string | undefined, param?: unknown, context?: PluginContext): Envelope {
  const out: Envelope = { kind };
  if (name) out.name = name;
  if (param !== undefined && param !== null) out.param = param;
  if (context && Object.keys(context).length > 0) out.context = context;
  return out;
}

export interface PostOptions {
  /** Abort after this long (PluginTimeout 119); undefined = wait as long as the caller's signal allows. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** POSTs one envelope and returns its `result` (null when absent); a plugin `error` is thrown as SkygearError. */
export async function postEnvelope(url: string, body: Envelope, opts: PostOptions = {}): Promise<unknown> {
  const signals = [opts.signal, opts.timeoutMs ? AbortSignal.timeout(opts.timeoutMs) : undefined].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  let text: string;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
    });
    text = await res.text();
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError') {
      throw new SkygearError(`plugin did not answer ${body.kind} ${body.name ?? ''} in time`.replace(/ +/g, ' '), ErrorCodes.PluginTimeout);
    }
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    throw new SkygearError(`plugin transport failed: ${e.message}${cause ? ` (${cause})` : ''}`, ErrorCodes.UnexpectedError);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SkygearError(`Failed to parse plugin response: ${(err as Error).message}: ${text.slice(0, 200)}`, ErrorCodes.UnexpectedError);
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const reply = parsed as { result?: unknown; error?: unknown };
  if (reply.error !== undefined && reply.error !== null) throw fromWireError(reply.error);
  return reply.result ?? null;
}
