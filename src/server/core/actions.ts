import type { AuthContext } from './auth-context';

/**
 * One API action (e.g. `record:save`), reached as POST /record/save or POST / {"action":"record:save"}.
 * Handlers return data; the HTTP layer writes the envelope `{"result": …}` and turns a thrown
 * SkygearError into `{"error": …}` with its status.
 */
export type Requirement =
  | 'none' // anything; a valid token still fills the user
  | 'key' // API key or master key (token ignored), e.g. signup, login, asset:put
  | 'keyOrToken' // a key or a valid token
  | 'user' // a user: valid token, or master key (acting as _user_id or _god)
  | 'admin' // a user with an admin role, or the master key
  | 'master' // the master key
  | 'dev'; // dev mode, or the master key

export interface ActionRequest {
  action: string;
  /** The whole JSON body, with the header key/token merged in (plugins receive exactly this). */
  body: Record<string, unknown>;
  auth: AuthContext;
  requestId: string;
}

/** A result that also carries the envelope's `info` (record:query's count). */
export class ResultWithInfo {
  constructor(readonly result: unknown, readonly info: Record<string, unknown>) {}
}

export interface ActionDef {
  name: string;
  requires: Requirement;
  /** false for actions that must answer while plugins are still starting (none of the API ones). */
  pluginGate?: boolean;
  handle(req: ActionRequest): Promise<unknown>;
}

/** Where the router looks up actions it does not have built in (plugin lambdas). */
export interface ActionSource {
  findAction(name: string): ActionDef | undefined;
  /** Every action it serves now (the conformance matrix walks them all). */
  listActions(): ActionDef[];
}

/** A path-routed endpoint registered by a plugin (skygear `handler`), e.g. GET /static/… */
export interface HttpHandlerSource {
  /** Returns a handler for (method, path without query), or undefined. */
  matchHandler(method: string, path: string): HttpHandlerDef | undefined;
  /** Every registered (method, path) with its requirement; prefix paths end in '/'. */
  listHandlers(): Array<{ method: string; path: string; requires: Requirement }>;
}

export interface HttpHandlerRequest {
  method: string;
  path: string;
  queryString: string;
  headers: Record<string, string[]>;
  body: Buffer;
  auth: AuthContext;
  requestId: string;
}

export interface HttpHandlerResponse {
  status: number;
  headers: Record<string, string[]>;
  body: Buffer;
}

export interface HttpHandlerDef {
  requires: Requirement;
  handle(req: HttpHandlerRequest): Promise<HttpHandlerResponse>;
}
