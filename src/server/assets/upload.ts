import Busboy from 'busboy';
import { randomUUID } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCodes, SkygearError } from '../core/errors';

export interface StagedFile {
  tempPath: string;
  size: number;
  /** The part's (multipart) or request's (raw PUT) Content-Type, if any. */
  contentType: string | undefined;
}

const badRequest = (message: string) => new SkygearError(message, ErrorCodes.BadRequest);

/** Temp files start with '.', which no asset name does, so they can never be served. */
function tempPathIn(dir: string): string {
  return path.join(dir, `.upload-${randomUUID()}`);
}

async function stage(dir: string, source: Readable): Promise<{ tempPath: string; size: number }> {
  const tempPath = tempPathIn(dir);
  try {
    await pipeline(source, createWriteStream(tempPath, { flags: 'wx' }));
    const { size } = await fs.stat(tempPath);
    return { tempPath, size };
  } catch (err) {
    await fs.rm(tempPath, { force: true });
    throw err;
  }
}

/** A raw PUT body streamed to a temp file. */
export async function stageRawBody(req: IncomingMessage, dir: string): Promise<StagedFile> {
  const staged = await stage(dir, req);
  return { ...staged, contentType: req.headers['content-type'] || undefined };
}

/**
 * The multipart part named `file` streamed to a temp file (Part A §8.1); other fields (the S3-style
 * extra fields a cloud store would want) are ignored. No `file` part → 107.
 */
export function stageMultipartFile(req: IncomingMessage, dir: string): Promise<StagedFile> {
  return new Promise<StagedFile>((resolve, reject) => {
    let busboy: Busboy.Busboy;
    try {
      busboy = Busboy({ headers: req.headers, limits: { files: 1 } });
    } catch (err) {
      reject(badRequest(`cannot parse multipart upload: ${(err as Error).message}`));
      return;
    }
    let staging: Promise<StagedFile> | undefined;
    busboy.on('file', (field, stream, info) => {
      if (field !== 'file' || staging) {
        stream.resume();
        return;
      }
      staging = stage(dir, stream).then((s) => ({ ...s, contentType: info.mimeType || undefined }));
      staging.catch(() => undefined);
    });
    busboy.on('error', (err) => reject(badRequest(`cannot parse multipart upload: ${(err as Error).message}`)));
    busboy.on('close', () => {
      if (!staging) reject(badRequest('missing file in multipart upload (expected a part named "file")'));
      else staging.then(resolve, reject);
    });
    req.on('error', (err) => reject(badRequest(`upload interrupted: ${err.message}`)));
    req.pipe(busboy);
  });
}
