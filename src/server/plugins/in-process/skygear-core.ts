/**
 * Typed handles on the skygear-core (JS SDK 1.7.2) classes that cloud code sees under skygear-node.
 *
 * We reuse the real classes so in-process modules get exactly the objects skygear-node would give them
 * (`instanceof Record`, `toJSON()` shapes, SkygearError). skygear-core ships no typings, so the few
 * members we touch are declared here.
 *
 * Only side-effect-free modules are required eagerly. `cloud/container` pulls in `cloud/settings`, which
 * runs dotenv and reads the environment at import, so it is required lazily, when a facade is built.
 * `cloud/index` and `cloud/transport/common` are never required: they import `cloud/pg`, which builds a
 * pg@7 Pool from DATABASE_URL at import time (it crashes on a URL without a user, and pg@7 hangs on Node 20).
 */

export interface CoreAcl {
  toJSON(): unknown;
}

export interface CoreRecord {
  readonly id: string;
  readonly recordType: string;
  _access: CoreAcl | null;
  toJSON(): Record<string, unknown>;
  [field: string]: unknown;
}

export interface CoreRecordClass {
  new (recordType: string, attrs?: Record<string, unknown>): CoreRecord;
  fromJSON(attrs: Record<string, unknown>): CoreRecord;
}

export interface CoreSkygearErrorInstance extends Error {
  code: number;
  info: Record<string, unknown> | null;
}

export interface CoreSkygearErrorClass {
  new (message: string, code?: number, info?: Record<string, unknown> | null): CoreSkygearErrorInstance;
}

/** skygear-core's CloudCodeContainer (cloud/container.js): a BaseContainer speaking the HTTP API. */
export interface CoreCloudCodeContainer {
  apiKey: string | null;
  endPoint: string;
  asUserId?: string;
  /** BaseContainer's: POSTs `action` with `data` to the server, as this container's user. */
  makeRequest(action: string, data: Record<string, unknown>): Promise<unknown>;
  [member: string]: unknown;
}

export interface CoreCloudCodeContainerClass {
  new (opts?: { sendPluginRequest?: boolean; asUserId?: string }): CoreCloudCodeContainer;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const recordModule = require('skygear-core/dist/record') as { default: CoreRecordClass };
const utilModule = require('skygear-core/dist/util') as {
  toJSON(value: unknown): unknown;
  fromJSON(value: unknown): unknown;
};
const errorModule = require('skygear-core/dist/error') as {
  SkygearError: CoreSkygearErrorClass;
  ErrorCodes: Record<string, number>;
};

export const SkygearRecord = recordModule.default;
export const coreToJSON = utilModule.toJSON;
export const coreFromJSON = utilModule.fromJSON;
export const CoreSkygearError = errorModule.SkygearError;
export const CoreErrorCodes = errorModule.ErrorCodes;

let containerClass: CoreCloudCodeContainerClass | undefined;

/** skygear-core's CloudCodeContainer class, loaded on first use (see the file comment). */
export function cloudCodeContainerClass(): CoreCloudCodeContainerClass {
  containerClass ??= (require('skygear-core/dist/cloud/container') as { default: CoreCloudCodeContainerClass }).default;
  return containerClass;
}

export function isCoreRecord(value: unknown): value is CoreRecord {
  return value instanceof (SkygearRecord as unknown as new () => object);
}

/** A dependency of skygear-core (formidable, mime-types), resolved from skygear-core's own location. */
export function requireFromSkygearCore<T>(name: string): T {
  const base = require.resolve('skygear-core/dist/record');
  return require(require.resolve(name, { paths: [base] })) as T;
}
