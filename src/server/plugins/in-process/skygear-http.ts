import { PassThrough } from 'node:stream';
import { parse as parseUrl, type UrlWithParsedQuery } from 'node:url';
import type { HttpHandlerResponse } from '../../core/actions';
import { requireFromSkygearCore } from './skygear-core';

/**
 * `SkygearRequest` / `SkygearResponse` as skygear-core 1.7.2 defines them in
 * `cloud/transport/common.js` (Part B §3.4). That module cannot be required in process (it imports
 * `cloud/pg`, see core.ts), so these are faithful ports with the same fields and methods. Responses are
 * interchangeable with skygear-core's: both are recognised by the `_isSkygearResponse` marker.
 *
 * Deliberate fix: skygear-core decodes the body as UTF-8 text and throws on binary uploads; here `body`
 * is the lenient UTF-8 text and `rawBody` keeps the bytes.
 */

/** The handler param Go sends (§3.4), with the body already decoded from base64. */
export interface HandlerParam {
  method: string;
  path: string;
  query_string?: string;
  header: Record<string, string[]>;
  body: Buffer;
}

export class SkygearRequest {
  readonly headers: Record<string, string[]>;
  readonly method: string;
  readonly path: string;
  readonly queryString: string | undefined;
  readonly body: string;
  readonly rawBody: Buffer;
  readonly url: UrlWithParsedQuery;

  constructor(param: HandlerParam) {
    this.headers = param.header;
    this.method = param.method;
    this.path = param.path;
    this.queryString = param.query_string || undefined;
    this.rawBody = param.body;
    this.body = param.body.toString('utf8');
    this.url = parseUrl(this.queryString ? `${this.path}?${this.queryString}` : this.path, true);
  }

  get query(): UrlWithParsedQuery['query'] {
    return this.url.query;
  }

  get json(): unknown {
    return JSON.parse(this.body);
  }

  /** Multipart/urlencoded parsing with formidable, as skygear-core does (`form(cb)`). */
  form(callback: (err: unknown, fields: unknown, files: unknown) => void): unknown {
    const req = Object.assign(new PassThrough(), {
      headers: {
        'content-type': this.headers['Content-Type']?.[0],
        'content-length': this.headers['Content-Length']?.[0],
      },
    });
    req.end(this.rawBody);
    const { IncomingForm } = requireFromSkygearCore<{ IncomingForm: new () => { parse(req: unknown, cb: unknown): unknown } }>('formidable');
    return new IncomingForm().parse(req, callback);
  }
}

export interface SkygearResponseOptions {
  statusCode?: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

export class SkygearResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: string | Buffer;
  readonly _isSkygearResponse = true;

  constructor(options: SkygearResponseOptions = {}) {
    this.statusCode = options.statusCode || 200;
    this.headers = options.headers || {};
    this.body = options.body || '';
  }

  setHeader(name: string, value: string | string[]): void {
    this.headers[name] = value;
  }

  getHeader(name: string): string | string[] | undefined {
    return this.headers[name];
  }

  removeHeader(name: string): void {
    delete this.headers[name];
  }

  write(chunk: string): void {
    this.body = `${this.body.toString()}${chunk}`;
  }

  /** The plugin-transport result shape: `{header, status, body: base64}`. */
  toResultJSON(): { header: Record<string, string[]>; status: number; body: string } {
    const res = toHandlerResponse(this);
    return { header: res.headers, status: res.status, body: res.body.toString('base64') };
  }

  static isInstance(obj: unknown): obj is SkygearResponseLike {
    if (obj === undefined || obj === null) return false;
    return obj instanceof SkygearResponse || !!(obj as { _isSkygearResponse?: unknown })._isSkygearResponse;
  }

  /** A string → 200 text/plain; any other value → 200 JSON; a SkygearResponse as is. */
  static wrap(result: unknown): SkygearResponseLike {
    if (SkygearResponse.isInstance(result)) return result;
    if (typeof result === 'string') {
      return new SkygearResponse({ statusCode: 200, body: result, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    }
    return new SkygearResponse({
      statusCode: 200,
      // JSON.stringify(undefined) is undefined; skygear-core would then send an empty body.
      body: JSON.stringify(result) ?? '',
      headers: { 'Content-Type': 'application/json' },
    });
  }
}

/** Ours or skygear-core's SkygearResponse (duck-typed by the marker). */
export interface SkygearResponseLike {
  statusCode?: number;
  headers?: Record<string, unknown>;
  body?: unknown;
}

/** A handler's return value → what the HTTP layer writes. Header values that are not arrays get wrapped. */
export function toHandlerResponse(result: unknown): HttpHandlerResponse {
  const res = SkygearResponse.wrap(result);
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(res.headers ?? {})) {
    if (value === undefined || value === null) continue;
    headers[name] = Array.isArray(value) ? value.map(String) : [String(value)];
  }
  const body = res.body;
  return {
    status: res.statusCode || 200,
    headers,
    body: Buffer.isBuffer(body) ? body : Buffer.from(body === undefined || body === null ? '' : String(body), 'utf8'),
  };
}
