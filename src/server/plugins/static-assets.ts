import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { HttpHandlerResponse } from '../http/action';
import { requireFromSkygearCore } from './core';

/**
 * `staticAsset(mountPoint, fn → absDir)`: files under `fn()` served at `/static<mountPoint>/<file>`,
 * as skygear-core's `staticAssetHandler` does, 404 when missing. Unlike skygear-core, a path that
 * climbs out of the directory (`..`) is refused instead of served.
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

  async serve(requestPath: string): Promise<HttpHandlerResponse> {
    const notFound: HttpHandlerResponse = { status: 404, headers: {}, body: Buffer.alloc(0) };
    if (!requestPath.startsWith('/static/')) return notFound;
    const rest = requestPath.slice('/static'.length);
    let best: string | undefined;
    for (const mount of this.mounts.keys()) {
      const covers = mount === '' || rest === mount || rest.startsWith(`${mount}/`);
      if (covers && (best === undefined || mount.length > best.length)) best = mount;
    }
    if (best === undefined) return notFound;
    const dir = path.resolve(this.mounts.get(best)!());
    let relative: string;
    try {
      relative = decodeURIComponent(rest.slice(best.length));
    } catch {
      return notFound;
    }
    const file = path.resolve(dir, `.${relative.startsWith('/') ? '' : '/'}${relative}`);
    if (file !== dir && !file.startsWith(dir + path.sep)) return notFound;
    try {
      const stat = await fs.stat(file);
      if (!stat.isFile()) return notFound;
      const body = await fs.readFile(file);
      const mime = requireFromSkygearCore<{ contentType(ext: string): string | false }>('mime-types');
      return { status: 200, headers: { 'Content-Type': [mime.contentType(path.extname(file)) || 'application/octet-stream'] }, body };
    } catch {
      return notFound;
    }
  }
}
