import path from 'node:path';
import type { Readable } from 'node:stream';
import type { HttpHandlerResponse } from '../../core/actions';
import { send } from '../../core/static-send';

/** Request headers that decide what send answers (ranges, conditional GETs). */
export type StaticRequestHeaders = Record<string, string[] | string | undefined>;

/**
 * `staticAsset(mountPoint, fn → absDir)`: files under `fn()` served at `/static<mountPoint>/<file>`,
 * as skygear-core's `staticAssetHandler` does, 404 when missing. The file goes through @fastify/send
 * (type, ETag, Last-Modified, Range when the caller passes the request headers). Unlike
 * skygear-core, a path that climbs out of the directory (`..`) is refused instead of served.
 */
export class StaticAssets {
  private readonly mounts = new Map<string, () => string>();

  /** `/styles`, `styles` and `styles/` all mount at `/static/styles`. */
  add(mountPoint: string, dirFn: () => string): void {
    const mount = `/${String(mountPoint).replace(/^\/+|\/+$/g, '')}`;
    this.mounts.set(mount === '/' ? '' : mount, dirFn);
  }

  get size(): number {
    return this.mounts.size;
  }

  async serve(requestPath: string, headers: StaticRequestHeaders = {}): Promise<HttpHandlerResponse> {
    const notFound: HttpHandlerResponse = { status: 404, headers: {}, body: Buffer.alloc(0) };
    if (!requestPath.startsWith('/static/')) return notFound;
    const rest = requestPath.slice('/static'.length);
    let best: string | undefined;
    for (const mount of this.mounts.keys()) {
      const covers = mount === '' || rest === mount || rest.startsWith(`${mount}/`);
      if (covers && (best === undefined || mount.length > best.length)) best = mount;
    }
    if (best === undefined) return notFound;
    const relative = rest.slice(best.length);
    // send reads only the headers; its stream is the file, or an HTML error page we do not forward.
    const request = { headers: lowerCaseSingle(headers) } as unknown as Readable;
    const result = await send(request, relative.startsWith('/') ? relative : `/${relative}`, {
      root: path.resolve(this.mounts.get(best)!()),
      index: false,
      cacheControl: false,
      dotfiles: 'allow',
    }).catch(() => undefined);
    if (!result || (result.type === 'error' && result.statusCode !== 416)) {
      result?.stream.destroy();
      return notFound;
    }
    const out: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(result.headers)) out[name] = [String(value)];
    const body = result.statusCode === 416 ? (result.stream.destroy(), Buffer.alloc(0)) : await readAll(result.stream);
    if (result.statusCode === 416) out['Content-Length'] = ['0'];
    return { status: result.statusCode, headers: out, body };
  }
}

function lowerCaseSingle(headers: StaticRequestHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name.toLowerCase()] = first;
  }
  return out;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  // A 304 or HEAD answer's stream yields an empty string, not a Buffer.
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
