/**
 * The `skygearCloud` object a cloud-code module receives as `includeme(skygearCloud, settings)`, as
 * far as the chat plugin uses it: the names of `require('skygear/cloud')` (skygear-core 1.7.2
 * `cloud/index.js`) plus a few optional host extensions.
 *
 * Two implementations meet here: skygear-node's module (plain JS) and our host's facade (the
 * host's plugins/cloud.ts), which is checked against this type with `satisfies`. Functions the
 * cloud code registers are typed loosely on purpose: both runtimes are plain JS at this seam.
 */

/** The `context` every lambda and hook call carries (protocol Part B §3.1). */
export interface CloudContext {
  user_id?: string;
  access_key_type?: 'client' | 'master';
  request_id?: string;
  request_tag?: string;
}

export interface SaveQueryResult<R> {
  rows: R[];
  rowCount: number | null;
}

/** A connection that runs SQL inside one record save's transaction. */
export interface SaveQueryable {
  // Rows untyped unless the caller names a type, as with pg's QueryResultRow (and the plugin's sql.ts).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query<R = Record<string, any>>(text: string, params?: unknown[]): Promise<SaveQueryResult<R>>;
}

/**
 * Host extension (absent under skygear-node): one record save, handed to that record's before-save
 * and after-save hooks as `options.save`. The same object reaches both hooks of the record.
 */
export interface RecordSave {
  /** Runs SQL in the save's transaction. BEGIN/COMMIT/ROLLBACK are refused: the host owns the transaction. */
  readonly client: SaveQueryable;
  /** Runs `fn` once the save's transaction has committed (never after a rollback). */
  afterCommit(fn: () => void | Promise<void>): void;
  /** Runs `fn` as soon as the save's transaction is over, committed or rolled back; keep it quick. */
  afterTransaction(fn: () => void): void;
  /**
   * What a before-save hook leaves for the after-save hook of the same record. Shared by every
   * plugin's hooks on the record: namespace the keys (`chat:…`).
   */
  readonly carried: Map<string, unknown>;
}

/** Second argument of lambdas, fourth of hooks. */
export interface CloudCallOptions {
  context?: CloudContext;
  container?: unknown;
  /** Before-save and after-save hooks run by our host (not skygear-node, not async hooks). */
  save?: RecordSave;
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

/** The settings skygear-node reads from its environment; our host gives its own values. */
export interface CloudFacadeSettings {
  /** '' when the host has no database URL to share (its embedded database). */
  databaseURL?: string;
  appName?: string;
  /** PG_POOL_MAX: connections per pool (skygear-node's default 10). */
  pgPoolMax?: number;
}

export interface CloudFacade {
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
  readonly settings?: CloudFacadeSettings;
  readonly SkygearError?: CloudSkygearErrorClass;
  readonly ErrorCodes?: Record<string, number>;
  /**
   * Host extension: run `fn` once the transaction the calling hook runs in has committed. Kept for
   * cloud code written before `options.save`; a save hook uses `options.save.afterCommit`.
   */
  afterCommit?(fn: () => void | Promise<void>): void;
  /** Host extension: run `fn` as soon as the calling hook's transaction is over (see afterCommit). */
  afterTransaction?(fn: () => void): void;
  /**
   * Host extension: whether a lambda of that name is registered (by any plugin). Lets the chat
   * hooks skip calling `chat:<hook>_hook` lambdas nobody registered without asking the server.
   */
  hasLambda?(name: string): boolean;
}
