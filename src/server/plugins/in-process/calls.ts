import type { RecordSave } from '../../../protocol/cloud-facade';
import { runInTx } from '../../db/tx-scope';
import { invalidArgument } from '../../core/errors';
import type { HttpHandlerRequest, HttpHandlerResponse } from '../../core/actions';
import type { RecordJSON } from '../../store/codec/record-json';
import type { PluginContext } from '../context';
import { coreFromJSON, coreToJSON, type CoreCloudCodeContainer, type CoreRecord } from './skygear-core';
import { canonicalHeaders } from '../headers';
import type { HookCall, HookTrigger } from '../../store/record-hooks';
import { fromCloudCodeError } from '../plugin-errors';
import type { InProcessPool } from './pool';
import { recordFromWire, recordToWire } from './records';
import { SkygearRequest, toHandlerResponse } from './skygear-http';

/**
 * How the host calls in-process cloud code, with the arguments skygear-node's transport would pass
 * (cloud/transport/common.js): lambdas get `(fromJSON(body), {context, container})`, hooks get
 * `(record, original, pool, {context, container})` as skygear-core Records, handlers get
 * `(SkygearRequest, {context, container})`. What cloud code throws becomes a SkygearError.
 */

/** The second argument of every lambda, handler and hook call. */
export interface CloudCallOptions {
  context: PluginContext;
  /** A CloudCodeContainer acting as context.user_id (master key + `_user_id`), or as the master key. */
  container: CoreCloudCodeContainer;
  /** Host extension, synchronous save hooks only: the record's save (protocol/cloud-facade.ts RecordSave). */
  save?: RecordSave;
}

// Cloud code is plain JS: its functions are typed loosely on purpose.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type LambdaFn = (param: any, options: CloudCallOptions) => unknown;
export type HookFn = (record: CoreRecord, original: CoreRecord | null, pool: InProcessPool, options: CloudCallOptions) => unknown;
export type HandlerFn = (req: SkygearRequest, options: CloudCallOptions) => unknown;
export type EventFn = (param: any) => unknown;
export type TimerFn = (param: undefined) => unknown;
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface InProcessRuntime {
  pool: InProcessPool;
  container(userId?: string): CoreCloudCodeContainer;
}

async function guarded<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw fromCloudCodeError(err);
  }
}

/**
 * What a lambda returned, as JSON for the response: skygear-core's `toJSON` (Dates, Records, Assets
 * … become their `$type` forms), except that undefined object keys are dropped and undefined array
 * items become null, as JSON.stringify would (`toJSON` throws on undefined). A top-level undefined is
 * null. Plain objects and arrays are copied here in one pass: for them `toJSON` is an identity copy
 * built through lodash chains, and a page of 50 messages made that a visible part of a request.
 */
export function resultToJSON(value: unknown): unknown {
  return value === undefined ? null : plainToJSON(value);
}

function plainToJSON(value: unknown): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : plainToJSON(v)));
  if (Object.getPrototypeOf(value) === Object.prototype && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    const out: Record<string, unknown> = {};
    const source = value as Record<string, unknown>;
    // for…in, not Object.entries: no [key, value] array per key. A plain object inherits no
    // enumerable keys, so this is exactly its own keys.
    for (const k in source) if (source[k] !== undefined) out[k] = plainToJSON(source[k]);
    return out;
  }
  return coreToJSON(value);
}

/**
 * skygear-core's decoding of what the caller sent; its failure is the caller's bad input (108),
 * never the cloud code's error (10000). The host checks `$type` values before any call, so this is
 * the net under that check.
 */
function decoded<T>(what: string, argument: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw invalidArgument(`${what} cannot be decoded: ${err instanceof Error ? err.message : String(err)}`, [argument]);
  }
}

export function lambdaInvoker(fn: LambdaFn, rt: InProcessRuntime) {
  return async (body: Record<string, unknown>, context: PluginContext): Promise<unknown> => {
    const param = decoded('the lambda arguments', 'args', () => coreFromJSON(body));
    return guarded(async () => resultToJSON(await fn(param, { context, container: rt.container(context.user_id) })));
  };
}

/**
 * A synchronous hook runs inside the save's transaction (`runInTx(call.tx)`: pool queries join it even
 * if the caller's async context was lost) and, for a save, gets the record's save as `options.save`.
 * An `async: true` hook is started by the host after commit, so it gets neither.
 */
export function hookInvoker(fn: HookFn, trigger: HookTrigger, isAsync: boolean, rt: InProcessRuntime) {
  return async (call: HookCall, context: PluginContext): Promise<RecordJSON | undefined> => {
    const id = String(call.record._id);
    const record = decoded(`record ${id}`, id, () => recordFromWire(call.record));
    const original = call.original ? decoded(`the stored record ${id}`, id, () => recordFromWire(call.original!)) : null;
    return guarded(async () => {
      const options: CloudCallOptions = { context, container: rt.container(context.user_id) };
      // An async hook starts after commit: the save (and its transaction) is over by then.
      if (call.save && !isAsync) options.save = call.save;
      const run = async () => fn(record, original, rt.pool, options);
      const returned = isAsync ? await run() : await runInTx(call.tx, run);
      if (trigger !== 'beforeSave') return undefined;
      return recordToWire(returned ?? record);
    });
  };
}

export function handlerInvoker(fn: HandlerFn, rt: InProcessRuntime) {
  return (req: HttpHandlerRequest, context: PluginContext): Promise<HttpHandlerResponse> =>
    guarded(async () => {
      const request = new SkygearRequest({
        method: req.method,
        path: req.path,
        query_string: req.queryString,
        header: canonicalHeaders(req.headers),
        body: req.body,
      });
      return toHandlerResponse(await fn(request, { context, container: rt.container(context.user_id) }));
    });
}

export function eventInvoker(fn: EventFn) {
  return (param: unknown): Promise<unknown> => guarded(async () => fn(param));
}

/** skygear-node calls timers with `payload.param`, which Go never sends: undefined. */
export function timerInvoker(fn: TimerFn) {
  return (): Promise<unknown> => guarded(async () => fn(undefined));
}
