import path from 'node:path';
import type { AssetUrls } from '../../../src/server/core/asset-urls';
import type { AuthContext } from '../../../src/server/core/auth-context';
import { loadConfig, type Config } from '../../../src/server/core/config';
import type { Driver } from '../../../src/server/db/driver';
import { openDriver } from '../../../src/server/db/open';
import { silentLogger } from '../../../src/server/core/log';
import { createPluginHost, type LocalPluginHost } from '../../../src/server/plugins/create-plugin-host';
import { MemoryBus } from '../../../src/server/pubsub/memory';
import { testDatabaseUrl, uniqueAppName } from '../../support/database';

export const ECHO_MODULE = path.resolve(__dirname, '../../fixtures/plugins/echo/index.js');

export const fakeAssets: AssetUrls = {
  url: (name) => `http://assets.test/files/${name}`,
  contentTypes: async () => new Map(),
};

export interface SharedDb {
  db: Driver;
  appName: string;
  schema: string;
  close(): Promise<void>;
}

/** A database (engine from TEST_DATABASE_URL) with a fresh app schema; opening PGlite is slow, so share it. */
export async function openSharedDb(): Promise<SharedDb> {
  const appName = uniqueAppName();
  const schema = `app_${appName}`;
  const db = await openDriver(testDatabaseUrl(), `${schema},public`);
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  return {
    db,
    appName,
    schema,
    async close() {
      if (db.kind === 'postgres') await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await db.close();
    },
  };
}

export interface HostFixture {
  host: LocalPluginHost;
  db: Driver;
  bus: MemoryBus;
  config: Config;
  /** Everything published on the bus, in order. */
  published: Array<{ hub: string; channel: string; data: unknown }>;
  close(): Promise<void>;
}

/**
 * A plugin host on a real database (the engine TEST_DATABASE_URL picks) in its own schema, without the
 * HTTP server: tests call its ActionSource / HttpHandlerSource / RecordHooks sides directly.
 */
export async function startHost(
  env: Record<string, string> = {},
  opts: { start?: boolean; shared?: SharedDb } = {},
): Promise<HostFixture> {
  const shared = opts.shared ?? (await openSharedDb());
  const { db, appName } = shared;
  const config = loadConfig({ APP_NAME: appName, DATABASE_URL: testDatabaseUrl(), ...env });
  const bus = new MemoryBus(silentLogger);
  const published: HostFixture['published'] = [];
  bus.onMessage((hub, channels, data) => {
      for (const channel of channels) published.push({ hub, channel, data });
    });
  const host = createPluginHost({
    config,
    db,
    schema: shared.schema,
    log: silentLogger,
    bus,
    assets: fakeAssets,
    endpoint: { url: 'http://127.0.0.1:1', port: 1, assetUrlPrefix: 'http://127.0.0.1:1/files' },
  });
  if (opts.start !== false) await host.start();
  return {
    host,
    db,
    bus,
    config,
    published,
    async close() {
      await host.close();
      await bus.close();
      if (!opts.shared) await shared.close();
    },
  };
}

export const anonymous: AuthContext = { userId: null, roles: [], keyType: null };
export const clientUser = (userId: string): AuthContext => ({ userId, roles: [], keyType: 'client', accessToken: 'tok' });
export const master: AuthContext = { userId: null, roles: [], keyType: 'master' };
