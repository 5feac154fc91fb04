import type { FsAssetStore } from '../../assets/fs-store';
import { escapeAssetPath, newAssetName } from '../../assets/names';
import { invalidArgument } from '../../core/errors';
import type { ActionDef } from '../../core/actions';

/**
 * asset:put (Part A §8.1): registers an asset and tells the client where to POST the bytes.
 * Needs an API key only; the upload itself goes to `/files/<name>`.
 */
export function assetActions(store: FsAssetStore): ActionDef[] {
  return [
    {
      name: 'asset:put',
      requires: 'key',
      async handle(req) {
        const filename = req.body.filename;
        const contentType = req.body['content-type'];
        const size = req.body['content-size'];
        if (typeof filename !== 'string' || filename === '') throw invalidArgument('filename is required', ['filename']);
        if (typeof contentType !== 'string' || contentType === '') throw invalidArgument('content-type is required', ['content-type']);
        if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
          throw invalidArgument('content-size must be a non-negative integer', ['content-size']);
        }
        const name = newAssetName(filename);
        await store.register(name, contentType, size);
        return { 'post-request': { action: `/files/${escapeAssetPath(name)}` }, asset: store.json(name, contentType) };
      },
    },
  ];
}
