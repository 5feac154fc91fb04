import { promises as fs } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiKeyEmpty, classifyKey, type KeyConfig } from '../auth/keys';
import { credentialsFromQuery } from './credentials';
import { sendResult } from './envelope';
import type { PathRoutes } from './app';
import { requestUrl } from './request-url';
import { send } from '../core/static-send';
import { ErrorCodes, SkygearError, invalidArgument, permissionDenied } from '../core/errors';
import type { FsAssetStore } from '../assets/fs-store';
import { assetNameFromPath, escapeAssetPath, newAssetName } from '../assets/names';
import { signatureMatches } from '../assets/signer';
import { stageMultipartFile, stageRawBody, type StagedFile } from '../assets/upload';

const PREFIX = '/files/';

const assetNotFound = () => new SkygearError('asset not found', ErrorCodes.ResourceNotFound);

/**
 * `/files/<name>` (Part A §8): GET/HEAD download with signature, expiry and Range checks; POST
 * multipart upload (what the 1.7.2 client does after asset:put); PUT raw upload. Not plugin-gated.
 * Other methods fall through to action routing (117).
 */
export function filesRoutes(store: FsAssetStore, keys: KeyConfig): PathRoutes {
  return (scope: FastifyInstance) => {
    // Uploads stream to disk from the raw request: no body parser may touch them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.route({
      method: ['GET', 'HEAD', 'POST', 'PUT'],
      url: `${PREFIX}*`,
      handler: async (request, reply) => {
        const url = requestUrl(request);
        const name = assetNameFromPath(url.pathname.slice(PREFIX.length));
        if (request.method === 'GET' || request.method === 'HEAD') return download(store, name, request, reply, url);
        requireKey(request.headers, url, keys);
        return request.method === 'POST' ? uploadMultipart(store, name, request.raw, reply) : uploadRaw(store, name, request.raw, reply);
      },
    });
  };
}

function requireKey(headers: IncomingHttpHeaders, url: URL, keys: KeyConfig): void {
  const { apiKey } = credentialsFromQuery(headers, url.searchParams);
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

/**
 * The bytes with Range (206, 416 with `Content-Range: bytes *\/size`), ETag and Last-Modified as
 * @fastify/send does them; the type is the one recorded at upload, never guessed from the name.
 */
async function download(store: FsAssetStore, name: string, request: FastifyRequest, reply: FastifyReply, url: URL): Promise<FastifyReply> {
  if (!store.isPublic) checkSignedUrl(store, name, url.searchParams);
  const asset = await store.find(name);
  if (!asset) throw assetNotFound();
  store.filePath(name); // refuses a name that would land outside the store
  const { statusCode, headers, stream, type } = await send(request.raw, `/${escapeAssetPath(name)}`, {
    root: store.dir,
    contentType: false,
    cacheControl: false,
    index: false,
    dotfiles: 'deny',
  });
  if (type === 'error' && statusCode !== 416) {
    stream.destroy();
    if (statusCode === 404) throw assetNotFound();
    throw new SkygearError(`cannot serve asset: HTTP ${statusCode}`, statusCode < 500 ? ErrorCodes.BadRequest : ErrorCodes.UnexpectedError);
  }
  reply.code(statusCode).headers(headers).header('Content-Type', asset.content_type || 'application/octet-stream');
  if (statusCode === 416) {
    stream.destroy();
    return reply.header('Content-Length', 0).send();
  }
  return reply.send(stream);
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

async function uploadMultipart(store: FsAssetStore, name: string, req: IncomingMessage, reply: FastifyReply): Promise<FastifyReply> {
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
  return sendResult(reply, store.json(name, asset.content_type));
}

/** Legacy raw PUT: an unknown name is registered as `<uuid>-<name>` with the request's Content-Type. */
async function uploadRaw(store: FsAssetStore, requested: string, req: IncomingMessage, reply: FastifyReply): Promise<FastifyReply> {
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
  return sendResult(reply, store.json(name, contentType));
}
