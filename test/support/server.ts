import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/server/core/config';
import type { Driver } from '../../src/server/db/driver';
import { openDriver } from '../../src/server/db/open';
import { silentLogger, type Logger } from '../../src/server/core/log';
import { createServer, type SkygearServer } from '../../src/server/server';
import { isPostgres, testDatabaseUrl, uniqueAppName } from './database';

/** Keys every test server uses unless `env` overrides them. */
export const TEST_API_KEY = 'test-api-key';
export const TEST_MASTER_KEY = 'test-master-key';

export interface TestServer {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  config: Config;
  /** The server's own driver, for SQL assertions (tables are in `schema`, also on the search_path). */
  db: Driver;
  schema: string;
  /** The underlying server (http.Server, etc.), for the rare test that needs it. */
  server: SkygearServer;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** LOAD_MODULES: module paths/names loaded in process. Default: none. */
  loadModules?: string[];
  /** Extra environment (API_KEY, MASTER_KEY, DEV_MODE, ASSET_STORE_PUBLIC, RESPONSE_TIMEOUT, …). */
  env?: Record<string, string>;
  log?: Logger;
  /** false: resolve as soon as the server listens, while plugins may still be starting. Default true. */
  waitForPlugins?: boolean;
  /** Keep the app schema on PostgreSQL after close (for a second server on the same data). */
  keepSchema?: boolean;
}

/**
 * A real server on 127.0.0.1:<random port> over the engine TEST_DATABASE_URL picks (PGlite in
 * memory by default), with its own app schema (dropped on close on PostgreSQL), its own temp asset
 * directory and a silent logger. Resolves once plugins are ready.
 */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const assetDir = await fs.mkdtemp(path.join(os.tmpdir(), 'skygear-assets-'));
  const env: Record<string, string> = {
    APP_NAME: uniqueAppName(),
    API_KEY: TEST_API_KEY,
    MASTER_KEY: TEST_MASTER_KEY,
    DATABASE_URL: testDatabaseUrl(),
    HOST: '127.0.0.1',
    PORT: '0',
    ASSET_STORE_PATH: assetDir,
    ASSET_STORE_SECRET: 'test-asset-secret',
    LOG_LEVEL: 'silent',
    ...(opts.loadModules ? { LOAD_MODULES: opts.loadModules.join(',') } : {}),
    ...opts.env,
  };
  let server: SkygearServer;
  try {
    server = await createServer(loadConfig(env), { log: opts.log ?? silentLogger });
  } catch (err) {
    await fs.rm(assetDir, { recursive: true, force: true });
    throw err;
  }
  // After the server (and its pool) is gone, drop the schema over a connection of our own.
  const dropSchema = async () => {
    if (!isPostgres() || opts.keepSchema) return;
    const admin = await openDriver(testDatabaseUrl(), 'public');
    await admin.query(`DROP SCHEMA IF EXISTS "${server.schema}" CASCADE`).catch(() => undefined);
    await admin.close();
  };
  try {
    await server.listen({ waitForPlugins: opts.waitForPlugins });
  } catch (err) {
    await server.close().catch(() => undefined);
    await dropSchema();
    await fs.rm(assetDir, { recursive: true, force: true });
    throw err;
  }
  let closed: Promise<void> | undefined;
  return {
    url: server.url,
    config: server.config,
    db: server.db,
    schema: server.schema,
    server,
    close() {
      closed ??= (async () => {
        try {
          await server.close();
          await dropSchema();
        } finally {
          await fs.rm(assetDir, { recursive: true, force: true });
        }
      })();
      return closed;
    },
  };
}
