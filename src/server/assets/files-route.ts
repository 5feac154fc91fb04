import { createReadStream, promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { apiKeyEmpty, classifyKey, type KeyConfig } from '../auth/keys';
import { credentialsFromQuery } from '../http/credentials';
import { writeResult } from '../http/envelope';
import type { PathRoute } from '../http/app';
import { routeUnmatched } from '../http/router';
import { ErrorCodes, SkygearError, invalidArgument, permissionDenied } from '../errors';
import type { FsAssetStore } from './fs-store';
import { assetNameFromPath, newAssetName } from './names';
import { parseRange } from './range';
import { signatureMatches } from './signature';
import { stageMultipartFile, stageRawBody, type StagedFile } from './upload';

const PREFIX = '/files/';

const assetNotFound = () => new SkygearError('asset not found', ErrorCodes.ResourceNotFound);

/**
 * `/files/<name>` (Part A §8): GET/HEAD download with signature, expiry and Range checks; POST
 * multipart upload (what the 1.7.2 client does after asset:put); PUT raw upload. Not plugin-gated.
 */
export function filesRoute(store: FsAssetStore, keys: KeyConfig): PathRoute {
  return {
    matches: (_method, urlPath) => urlPath.startsWith(PREFIX),
    async handle(req, res, url) {
      const name = assetNameFromPath(url.pathname.slice(PREFIX.length));
      const method = (req.method ?? 'GET').toUpperCase();
      if (method === 'GET' || method === 'HEAD') return download(store, name, req, res, url);
      if (method === 'POST' || method === 'PUT') {
        requireKey(req, url, keys);
        return method === 'POST' ? uploadMultipart(store, name, req, res) : uploadRaw(store, name, req, res);
      }
      throw routeUnmatched();
    },
  };
}

function requireKey(req: IncomingMessage, url: URL, keys: KeyConfig): void {
  const { apiKey } = credentialsFromQuery(req, url.searchParams);
  const key = classifyKey(apiKey, keys);
  if (key.kind === 'wrong') throw key.error;
  if (key.kind === null) throw apiKeyEmpty();
}

function checkSignedUrl(store: FsAssetStore, name: string, query: URLSearchParams): void {
  const raw = query.get('expiredAt') ?? '';
  if (!/^\d+$/.test(raw)) throw invalidArgument('expiredAt must be given as an integer (unix seconds)', ['expiredAt']);
  const expiredAt = Number(raw);
  if (expiredAt < store.nowSeconds()) throw permissionDenied('Access denied');
  if (!signatureMatches(store.secret, name, expiredAt, query.get('signature') ?? '')) {
    throw new SkygearError('Invalid signature', ErrorCodes.InvalidSignature);
  }
}

async function download(store: FsAssetStore, name: string, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (!store.isPublic) checkSignedUrl(store, name, url.searchParams);
  const asset = await store.find(name);
  if (!asset) throw assetNotFound();
  const file = store.filePath(name);
  const stat = await fs.stat(file).catch(() => null);
  if (!stat || !stat.isFile()) throw assetNotFound();

  const size = stat.size;
  const range = parseRange(req.headers.range, size);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Type', asset.content_type || 'application/octet-stream');
  if (range === 'unsatisfiable') {
    res.statusCode = 416;
    res.setHeader('Content-Range', `bytes */${size}`);
    res.setHeader('Content-Length', 0);
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  if (range) {
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  } else {
    res.statusCode = 200;
  }
  const length = size === 0 ? 0 : end - start + 1;
  res.setHeader('Content-Length', length);
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return;
  }
  await pipeline(createReadStream(file, { start, end }), res);
}

/** Moves a staged upload into place. Assets are immutable: a name that already has bytes is refused. */
async function commitUpload(store: FsAssetStore, name: string, staged: StagedFile): Promise<void> {
  const target = store.filePath(name);
  try {
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.link(staged.tempPath, target); // fails with EEXIST instead of overwriting
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw permissionDenied('asset has already been uploaded');
    throw err;
  } finally {
    await fs.rm(staged.tempPath, { force: true });
  }
}

async function uploadMultipart(store: FsAssetStore, name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const asset = await store.find(name);
  if (!asset) throw assetNotFound();
  await store.ensureDir();
  const staged = await stageMultipartFile(req, store.dir);
  if (staged.size === 0) {
    await fs.rm(staged.tempPath, { force: true });
    throw invalidArgument('uploaded file is empty', ['file']);
  }
  await commitUpload(store, name, staged);
  await store.setSize(name, staged.size);
  writeResult(res, store.json(name, asset.content_type));
}

/** Legacy raw PUT: an unknown name is registered as `<uuid>-<name>` with the request's Content-Type. */
async function uploadRaw(store: FsAssetStore, requested: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  await store.ensureDir();
  const staged = await stageRawBody(req, store.dir);
  if (staged.size === 0) {
    await fs.rm(staged.tempPath, { force: true });
    throw invalidArgument('uploaded file is empty', ['file']);
  }
  const existing = await store.find(requested);
  const name = existing ? requested : newAssetName(requested);
  const contentType = existing?.content_type ?? staged.contentType ?? 'application/octet-stream';
  await commitUpload(store, name, staged);
  if (existing) await store.setSize(name, staged.size);
  else await store.register(name, contentType, staged.size);
  writeResult(res, store.json(name, contentType));
}
