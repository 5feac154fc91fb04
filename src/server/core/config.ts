/**
 * Server configuration from Skygear's own environment variable names.
 * Defaults make `npm start` work on a fresh machine: embedded PGlite under ./data, port 3000.
 */

/** Skygear's default lifetime of a signed asset URL (ASSET_STORE_URL_EXPIRE_DURATION), 15 minutes. */
export const DEFAULT_ASSET_URL_LIFETIME_SECONDS = 15 * 60;

export interface Config {
  apiKey: string;
  masterKey: string;
  appName: string;
  /** undefined → PGlite in ./data/pgdata; `memory://` → PGlite in memory; postgres://… → PostgreSQL. */
  databaseUrl: string | undefined;
  host: string;
  port: number;
  corsHost: string;
  logLevel: string;
  devMode: boolean;
  /** Modules to load in process and call includeme on (LOAD_MODULES, split like skygear-node does). */
  loadModules: string[];
  /** Out-of-process plugins: PLUGINS=NAME, NAME_TRANSPORT=http, NAME_PATH=http://host:port. */
  httpPlugins: Array<{ name: string; url: string }>;
  assetStoreDir: string;
  /** Public URL prefix of /files; derived from host and port when ASSET_STORE_URL_PREFIX is unset. */
  assetStoreUrlPrefix: string;
  assetStoreSecret: string;
  assetStorePublic: boolean;
  /** How long a signed download URL stays valid, in seconds (ASSET_STORE_URL_EXPIRE_DURATION, default 900). */
  assetStoreUrlExpirySeconds: number;
  /** Redis URL for cross-node pubsub fan-out; unset = in-memory hub (one node). */
  redisUrl: string | undefined;
  /** Directory served at /demo/, when set. */
  demoDir: string | undefined;
  responseTimeoutMs: number;
  /**
   * Plugin lambdas only the master key may call (MASTER_KEY_ACTIONS, comma-separated, `*` matches any
   * run of characters). Default: the chat plugin's 1.7 hook lambdas (`chat:after_message_sent_hook`
   * …), which the plugin calls itself after a commit; 1.7 let any client call them with forged
   * payloads (chat-plugin-features.md §7 A3).
   */
  masterKeyActions: string[];
  /** Connections per PostgreSQL pool (PG_POOL_MAX, default 10): the server's and the in-process plugin's. */
  pgPoolMax: number;
  /** Named (prepared) statements on PostgreSQL; PG_PREPARED_STATEMENTS=off for a pooler that cannot keep them. */
  pgPreparedStatements: boolean;
  /** STATEMENT_STATS=1: count every statement (bench/ measurements only, see db/counting.ts). */
  statementStats: boolean;
}

type Env = Record<string, string | undefined>;

/** A whole number > 0 from the environment, or the default when unset; anything else stops the start. */
function positiveInteger(name: string, value: string | undefined, dflt: number): number {
  if (value === undefined || value.trim() === '') return dflt;
  if (!/^\d+$/.test(value.trim()) || Number(value) <= 0) throw new Error(`${name} must be a whole number > 0, got "${value}"`);
  return Number(value);
}

const bool = (v: string | undefined, dflt: boolean): boolean =>
  v === undefined || v === '' ? dflt : !['false', 'no', '0', 'off'].includes(v.trim().toLowerCase());

/** LOAD_MODULES is split on ':' if present, else ',', else spaces (skygear-node's rule); `x~py` is skipped. */
export function parseModuleList(value: string | undefined): string[] {
  if (!value) return [];
  const sep = value.includes(':') && !/^[A-Za-z]:\\/.test(value) ? ':' : value.includes(',') ? ',' : ' ';
  return value
    .split(sep)
    .map((m) => m.trim())
    .filter((m) => m !== '')
    .flatMap((m) => (!m.includes('~') ? [m] : m.endsWith('~js') ? [m.slice(0, -3)] : []));
}

function httpPlugins(env: Env): Config['httpPlugins'] {
  return (env.PLUGINS ?? '')
    .split(',')
    .filter((n) => n !== '')
    .map((name) => {
      const transport = env[`${name}_TRANSPORT`] ?? 'http';
      if (transport !== 'http') throw new Error(`plugin ${name}: transport "${transport}" is not supported (only http)`);
      const url = env[`${name}_PATH`];
      if (!url) throw new Error(`plugin ${name}: ${name}_PATH must be the plugin's URL`);
      return { name, url };
    });
}

export function loadConfig(env: Env = process.env): Config {
  const appName = env.APP_NAME || 'chat';
  if (!/^[A-Za-z0-9_]+$/.test(appName)) throw new Error(`APP_NAME must match ^[A-Za-z0-9_]+$, got "${appName}"`);
  const port = Number(env.PORT ?? 3000);
  const host = env.HOST ?? '0.0.0.0';
  const publicHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    apiKey: env.API_KEY || 'changeme',
    masterKey: env.MASTER_KEY || 'secret',
    appName,
    databaseUrl: env.DATABASE_URL || undefined,
    host,
    port,
    corsHost: env.CORS_HOST ?? '*',
    logLevel: env.LOG_LEVEL || 'info',
    devMode: bool(env.DEV_MODE, true),
    loadModules: parseModuleList(env.LOAD_MODULES),
    httpPlugins: httpPlugins(env),
    assetStoreDir: env.ASSET_STORE_PATH || './data/files',
    assetStoreUrlPrefix: (env.ASSET_STORE_URL_PREFIX || `http://${publicHost}:${port}/files`).replace(/\/$/, ''),
    assetStoreSecret: env.ASSET_STORE_SECRET ?? '',
    assetStorePublic: bool(env.ASSET_STORE_PUBLIC, false),
    assetStoreUrlExpirySeconds: positiveInteger('ASSET_STORE_URL_EXPIRE_DURATION', env.ASSET_STORE_URL_EXPIRE_DURATION, DEFAULT_ASSET_URL_LIFETIME_SECONDS),
    redisUrl: env.REDIS_URL || undefined,
    demoDir: env.DEMO_DIR,
    responseTimeoutMs: Number(env.RESPONSE_TIMEOUT ?? 60) * 1000,
    masterKeyActions: (env.MASTER_KEY_ACTIONS ?? 'chat:*_hook')
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== ''),
    pgPoolMax: positiveInteger('PG_POOL_MAX', env.PG_POOL_MAX, 10),
    pgPreparedStatements: bool(env.PG_PREPARED_STATEMENTS, true),
    statementStats: env.STATEMENT_STATS === '1',
  };
}
