/**
 * The subset of `skygear/cloud` (skygear-core 1.7.2 `cloud/index.js`) the chat plugin uses.
 *
 * The plugin never imports the server: it talks to the world only through the object passed to
 * `includeme(skygearCloud, settings)`. Under skygear-node that object is `require('skygear/cloud')`;
 * inside our server it is the host's facade (src/server/plugins/cloud.ts), which has the same names.
 * Everything is typed loosely on purpose: both implementations are plain JS at this seam.
 */

/** The `context` every lambda and hook call carries (protocol Part B §3.1). */
export interface CloudContext {
  user_id?: string;
  access_key_type?: 'client' | 'master';
  request_id?: string;
  request_tag?: string;
}

/** Second argument of lambdas, fourth of hooks. */
export interface CloudCallOptions {
  context?: CloudContext;
  container?: unknown;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export type LambdaFn = (param: any, options: CloudCallOptions) => unknown;
export type HookFn = (record: any, original: any, pool: any, options: CloudCallOptions) => unknown;
export type EventFn = (param: any) => unknown;
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface CloudLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface CloudSkygearErrorClass {
  new (message: string, code?: number, info?: Record<string, unknown> | null): Error & { code: number };
}

/** A skygear-core container (CloudCodeContainer): the master key, acting as a user. */
export interface CloudContainer {
  /** POSTs `action` with `data`; resolves with the body (`{result}`), rejects with `{status, error}`. */
  makeRequest(action: string, data: Record<string, unknown>): Promise<unknown>;
}

export interface CloudApi {
  op(name: string, fn: LambdaFn, options?: { keyRequired?: boolean; userRequired?: boolean }): void;
  beforeSave(recordType: string, fn: HookFn, options?: { async?: boolean }): void;
  afterSave(recordType: string, fn: HookFn, options?: { async?: boolean }): void;
  beforeDelete(recordType: string, fn: HookFn, options?: { async?: boolean }): void;
  event(name: string, fn: EventFn): void;
  publishEventsToChannels(channels: string[], events: Array<Record<string, unknown>>): Promise<void>;
  getSigner?(): { sign(name: string): Promise<string> | string };
  /** A master-key container acting as `userId` (skygear-node and our host both have it). */
  getContainer?(userId?: string): CloudContainer;
  log?(name: string): CloudLogger;
  /** skygear-node: its pg@7 pool (unusable on Node 20). Our host: an adapter with `inProcess === true`. */
  readonly pool?: unknown;
  /** skygear-node's settings (env) or the host's equivalent: `databaseURL`, `appName`, … */
  readonly settings?: { databaseURL?: string; appName?: string; [key: string]: unknown };
  readonly SkygearError?: CloudSkygearErrorClass;
  readonly ErrorCodes?: Record<string, number>;
  /**
   * Optional host extension (not in skygear-node): run `fn` once the transaction the current hook
   * runs in has committed, never after a rollback. Used to fire the chat hooks of record-API saves
   * after commit; without it they fire at the end of the hook (see docs/chat-semantics.md).
   */
  afterCommit?(fn: () => void | Promise<void>): void;
  /**
   * Optional host extension: run `fn` as soon as the current hook's transaction is over, committed or
   * rolled back. Used to release a conversation's send turn (conversation-turns.ts).
   */
  afterTransaction?(fn: () => void): void;
  /**
   * Optional host extension: whether a lambda of that name is registered (by any plugin). Lets the
   * chat hooks skip calling `chat:<hook>_hook` lambdas nobody registered without asking the server.
   */
  hasLambda?(name: string): boolean;
}

/** The second argument of includeme. skygear-node passes `{}`; tests may pass a pool. */
export interface ChatSettings {
  /** A pg.Pool-like pool to use instead of the host's (see sql.ts `resolvePool`). */
  pool?: unknown;
  [key: string]: unknown;
}
