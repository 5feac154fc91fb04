import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { filesRoutes } from './http/files-route';
import { FsAssetStore } from './assets/fs-store';
import { Accounts } from './auth/accounts';
import { Authenticator } from './auth/authenticate';
import { appSchemaName } from '../protocol/host-tables';
import type { Config } from './core/config';
import type { ServerEndpoint } from './core/endpoint';
import type { Driver } from './db/driver';
import { openDriver } from './db/open';
import { assetActions } from './http/actions/asset';
import { authActions } from './http/actions/auth';
import { deviceActions } from './http/actions/device';
import { pushActions } from './http/actions/push';
import { recordActions } from './http/actions/record';
import { roleActions } from './http/actions/role';
import { schemaActions } from './http/actions/schema';
import { statusActions } from './http/actions/status';
import type { HttpHandlerSource } from './core/actions';
import { createHttpApp, type PathRoutes } from './http/app';
import { demoRoutes } from './http/demo';
import { ActionRouter } from './http/router';
import { createLogger, type Logger } from './core/log';
import { createPluginHost } from './plugins/create-plugin-host';
import { attachPubsubGateway, createPubsubBus } from './pubsub/index';
import { ensureSystemSchema } from './store/schema/bootstrap';
import { createRecordStore } from './store/index';

export interface SkygearServer {
  /** The configuration, as given (frozen); where the server listens is `endpoint`. */
  readonly config: Readonly<Config>;
  /** The port and asset URL prefix in effect once it listens (PORT=0 picks a free port). */
  readonly endpoint: ServerEndpoint;
  readonly db: Driver;
  readonly schema: string;
  /** Base URL without trailing slash (e.g. http://127.0.0.1:3000); '' until listen resolves. */
  readonly url: string;
  readonly httpServer: http.Server;
  /** Every action served (built-in and plugin lambdas) and the plugins' path handlers. */
  readonly router: ActionRouter;
  readonly handlers: HttpHandlerSource;
  /**
   * Listens, then runs the plugin lifecycle (until it is done the plugin gate answers 118/121).
   * Resolves with the URL once plugins are ready, or as soon as the socket listens with
   * `waitForPlugins: false`. Rejects if a plugin fails to start.
   */
  listen(opts?: { waitForPlugins?: boolean }): Promise<string>;
  /** Settles when the plugin lifecycle started by listen() has finished (or failed). */
  readonly pluginsReady: Promise<void>;
  close(): Promise<void>;
}

/** How long close() lets in-flight requests finish before cutting connections. */
const CLOSE_GRACE_MS = 5000;

/**
 * The composition root. Wiring order: driver → system schema → pubsub bus → asset store → plugin host
 * (record hooks) → record store (hooks = host) → HTTP app (built-in actions + plugin lambdas and
 * handlers) → pubsub gateway on the same http.Server → listen → plugin lifecycle.
 */
export async function createServer(input: Config, opts: { log?: Logger } = {}): Promise<SkygearServer> {
  const config: Readonly<Config> = Object.freeze({ ...input });
  const endpoint = { url: '', port: config.port, assetUrlPrefix: config.assetStoreUrlPrefix };
  const log = opts.log ?? createLogger(config.logLevel);
  const schema = appSchemaName(config.appName);
  const db = await openDriver(config.databaseUrl, `${schema}, public`, {
    onError: (err) => log.error({ err }, 'database error'),
    poolMax: config.pgPoolMax,
    preparedStatements: config.pgPreparedStatements,
    countStatements: config.statementStats,
  });
  try {
    await ensureSystemSchema(db, schema);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }

  // One Redis channel pair per app: apps sharing a Redis never see each other's events, and every
  // node of the same app (same APP_NAME) shares fan-out (docs/scaling.md).
  const bus = createPubsubBus(config.redisUrl, log, { prefix: `skygear:pubsub:${config.appName}` });
  const assetPrefixIsDerived = config.port === 0 && config.assetStoreUrlPrefix === derivedAssetPrefix(config, config.port);
  const assets = new FsAssetStore({
    db,
    schema,
    dir: config.assetStoreDir,
    urlPrefix: () => endpoint.assetUrlPrefix,
    secret: config.assetStoreSecret,
    public: config.assetStorePublic,
    urlLifetimeSeconds: config.assetStoreUrlExpirySeconds,
  });
  const host = createPluginHost({ config, db, schema, log, bus, assets, endpoint });
  const store = createRecordStore({ db, schema, hooks: host, assets, log, devMode: config.devMode });

  const keys = { apiKey: config.apiKey, masterKey: config.masterKey };
  const router = new ActionRouter(
    [
      ...statusActions(),
      ...authActions(new Accounts({ db, schema, store })),
      ...roleActions(db, schema),
      ...deviceActions(db, schema),
      ...pushActions(db, schema),
      ...assetActions(assets),
      ...recordActions(store),
      ...schemaActions(store),
    ],
    [host],
  );
  const routes: PathRoutes[] = [filesRoutes(assets, keys)];
  if (config.demoDir) routes.push(demoRoutes(config.demoDir));

  const app = await createHttpApp({
    router,
    authenticator: new Authenticator({ db, schema, config }),
    keys,
    pluginState: () => host.state,
    responseTimeoutMs: config.responseTimeoutMs,
    corsHost: config.corsHost,
    log,
    routes,
    handlers: host,
  });
  const httpServer = app.server;
  // The websocket upgrade on /pubsub is not fastify's business: the gateway takes it off the same server.
  const gateway = attachPubsubGateway(httpServer, bus, { ...keys, log });

  let closing: Promise<void> | undefined;
  let startPlugins: () => void = () => undefined;
  const pluginsReady = new Promise<void>((resolve, reject) => {
    startPlugins = () => {
      startPlugins = () => undefined;
      host.start().then(resolve, reject);
    };
  });
  pluginsReady.catch((err) => log.error({ err }, 'plugins failed to start'));
  const server: SkygearServer = {
    config,
    endpoint,
    db,
    schema,
    httpServer,
    router,
    handlers: host,
    get url() {
      return endpoint.url;
    },
    pluginsReady,
    async listen(listenOpts = {}) {
      // With Redis, messages from other nodes must reach this one from the first request on.
      await bus.ready?.();
      await app.listen({ port: config.port, host: config.host });
      const { port } = httpServer.address() as AddressInfo;
      endpoint.url = `http://${urlHost(config.host)}:${port}`;
      endpoint.port = port;
      if (assetPrefixIsDerived) endpoint.assetUrlPrefix = derivedAssetPrefix(config, port);
      startPlugins();
      if (listenOpts.waitForPlugins !== false) await pluginsReady;
      return endpoint.url;
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };

  async function shutdown(): Promise<void> {
    await gateway.close().catch((err) => log.warn({ err }, 'closing pubsub gateway failed'));
    await host.close().catch((err) => log.warn({ err }, 'closing plugin host failed'));
    if (httpServer.listening) {
      // fastify closes idle connections at once and lets in-flight requests finish; the rest are cut after the grace.
      const force = setTimeout(() => httpServer.closeAllConnections(), CLOSE_GRACE_MS);
      await app.close();
      clearTimeout(force);
    }
    await bus.close().catch((err) => log.warn({ err }, 'closing pubsub bus failed'));
    await db.close();
  }

  return server;
}

/** Where this server's own URL points: wildcard listen addresses become loopback. */
function urlHost(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** The prefix loadConfig derives when ASSET_STORE_URL_PREFIX is unset. */
function derivedAssetPrefix(config: Config, port: number): string {
  const publicHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `http://${publicHost}:${port}/files`;
}
