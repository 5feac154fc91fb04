import { ErrorCodes, SkygearError } from '../errors';
import type { PathRoute } from './app';
import { resolveStaticFile, sendFile } from './static-files';

const PREFIX = '/demo';
const CLIENT_BUNDLE_PATH = '/demo/vendor/skygear.js';

/** The browser build of the skygear 1.7.2 client (it sets `window.skygear`). */
function clientBundleFile(): string {
  return require.resolve('skygear/dist/skygear.min.js');
}

/**
 * GET/HEAD `/demo/…`: static files of the demo app from `demoDir`, plus the unmodified skygear
 * client bundle at `/demo/vendor/skygear.js`, so the demo runs from the same origin as the API.
 */
export function demoRoute(demoDir: string): PathRoute {
  return {
    matches: (method, path) => (method === 'GET' || method === 'HEAD') && (path === PREFIX || path.startsWith(PREFIX + '/')),
    async handle(req, res, url) {
      const path = url.pathname;
      if (path === PREFIX) {
        res.statusCode = 301;
        res.setHeader('Location', PREFIX + '/' + url.search);
        res.setHeader('Content-Length', 0);
        res.end();
        return;
      }
      if (path === CLIENT_BUNDLE_PATH) return sendFile(req, res, clientBundleFile());
      const file = await resolveStaticFile(demoDir, path.slice(PREFIX.length + 1));
      if (!file) throw new SkygearError(`no such file: ${path}`, ErrorCodes.ResourceNotFound);
      return sendFile(req, res, file);
    },
  };
}
