/**
 * A minimal Skygear wire client for load and fault runs: the exact request bodies and headers the
 * unmodified skygear 1.7 JS client sends (captured from `container.lambda`, `publicDB.save`, …),
 * without its pubsub websockets, so hundreds of clients cost nothing but their HTTP calls.
 *
 * Every call is bounded by a timeout and never throws: it resolves with what the server said, or a
 * `transport` failure (connection refused/reset, timeout) — which the ledger treats as "unknown
 * outcome", never as an acknowledgement.
 */
import { randomUUID } from 'node:crypto';

export interface SkyError {
  name?: string;
  code: number;
  message?: string;
  info?: Record<string, unknown>;
}

export type WireResult<T = any> =
  | { kind: 'ok'; status: number; result: T }
  | { kind: 'error'; status: number; error: SkyError }
  | { kind: 'transport'; reason: string };

const SDK_VERSION = 'skygear-SDK-JS/1.7.2';

export interface WireOptions {
  url: string;
  apiKey: string;
  /** Per-request bound (ms). */
  timeoutMs?: number;
}

export class WireClient {
  accessToken: string | null = null;
  userId: string | null = null;

  constructor(private readonly opts: WireOptions) {}

  /** POST /<action with ':' → '/'> with the client's body: action, api_key, access_token, data. */
  async request<T = any>(action: string, data: Record<string, unknown> = {}, extraHeaders: Record<string, string> = {}): Promise<WireResult<T>> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'X-Skygear-API-Key': this.opts.apiKey,
      'X-Skygear-SDK-Version': SDK_VERSION,
      ...extraHeaders,
    };
    if (this.accessToken) headers['X-Skygear-Access-Token'] = this.accessToken;
    const body = JSON.stringify({ access_token: this.accessToken, action, api_key: this.opts.apiKey, ...data });
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.opts.url}/${action.replace(/:/g, '/')}`, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
      text = await res.text();
    } catch (err) {
      return { kind: 'transport', reason: describe(err) };
    }
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      return { kind: 'error', status: res.status, error: { code: -1, message: `non-JSON response (${res.status}): ${text.slice(0, 200)}` } };
    }
    if (json && typeof json === 'object' && json.error) return { kind: 'error', status: res.status, error: json.error };
    if (!res.ok) return { kind: 'error', status: res.status, error: { code: -1, message: `HTTP ${res.status} without an error envelope` } };
    return { kind: 'ok', status: res.status, result: json.result as T };
  }

  async signup(username: string, password = `${username}-pw`): Promise<WireResult> {
    const res = await this.request('auth:signup', { auth_data: { username }, password, profile: {} });
    if (res.kind === 'ok') {
      this.accessToken = res.result.access_token;
      this.userId = res.result.user_id;
    }
    return res;
  }

  async login(username: string, password = `${username}-pw`): Promise<WireResult> {
    const res = await this.request('auth:login', { auth_data: { username }, password });
    if (res.kind === 'ok') {
      this.accessToken = res.result.access_token;
      this.userId = res.result.user_id;
    }
    return res;
  }

  /** `container.lambda(name, args)`: `{args}` is positional (array) or named (object). */
  lambda<T = any>(name: string, args?: unknown): Promise<WireResult<T>> {
    return this.request<T>(name, { args });
  }

  /**
   * `db.save(record)` for one record: the server answers 200 with a per-record result that is either
   * the saved record or `{_type:'error', …}`; the client turns the latter into a rejection, so do we.
   */
  async saveRecord(databaseId: '_public' | '_private' | string, record: Record<string, unknown>): Promise<WireResult> {
    const res = await this.request('record:save', { database_id: databaseId, records: [record] });
    if (res.kind !== 'ok') return res;
    const item = Array.isArray(res.result) ? res.result[0] : undefined;
    if (!item) return { kind: 'error', status: res.status, error: { code: -1, message: 'record:save returned no result item' } };
    if (item._type === 'error') return { kind: 'error', status: res.status, error: item };
    return { kind: 'ok', status: res.status, result: item };
  }
}

/**
 * The record a client saves to send a message: a seed-era client's `new Message({body,
 * conversation_id, metadata})`, or — `field: 'conversation'` — what the 1.x SDK's createMessage saves.
 */
export function messageRecord(
  conversationId: string,
  body: string,
  id: string = randomUUID(),
  field: 'conversation_id' | 'conversation' = 'conversation_id',
): Record<string, unknown> {
  return {
    _id: `message/${id}`,
    _access: null,
    body,
    [field]: { $id: `conversation/${conversationId}`, $type: 'ref' },
    metadata: {},
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return `${err.name}: ${err.message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
  }
  return String(err);
}

export const bare = (id: string): string => id.slice(id.indexOf('/') + 1);
