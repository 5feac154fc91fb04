import type { Config } from '../../core/config';
import type { ServerEndpoint } from '../../core/endpoint';

/**
 * `skygearCloud.settings`: skygear-node's settings object (cloud/settings.js), same keys, our values.
 * `skygearEndpoint` (and `pubsubURL`) are getters because the server's URL is known only once it listens.
 */
export interface CloudSettings {
  skygearAddress: string;
  readonly skygearEndpoint: string;
  apiKey: string;
  masterKey: string;
  appName: string;
  logLevel: string;
  logFormat: string;
  http: { enabled: boolean; address: string; port: number };
  debug: boolean;
  readonly pubsubURL: string;
  serveStaticAssets: boolean;
  collectAsset: string;
  forceAsset: boolean;
  /** The configured DATABASE_URL, or '' when the host runs on its default embedded database. */
  databaseURL: string;
  pgPoolMax: number;
  pgPoolMin: number;
  pgPoolIdleTimeoutMillis: number;
  assetStore: string;
  assetStoreSecret: string;
  assetStoreURLPrefix: string;
  assetStoreURLExpireDuration: number;
  assetStoreS3AccessKey: string;
  assetStoreS3SecretKey: string;
  assetStoreS3Bucket: string;
  assetStoreS3Region: string;
  assetStoreS3URLPrefix: string | undefined;
  cloudAssetHost: string | undefined;
  cloudAssetToken: string | undefined;
  cloudAssetStorePublic: string | undefined;
  cloudAssetPublicPrefix: string | undefined;
  cloudAssetPrivatePrefix: string | undefined;
  loadModules: string[];
}

export function cloudSettings(config: Config, endpoint: ServerEndpoint): CloudSettings {
  return {
    skygearAddress: '',
    get skygearEndpoint() {
      return endpoint.url;
    },
    apiKey: config.apiKey,
    masterKey: config.masterKey,
    appName: config.appName,
    logLevel: config.logLevel,
    logFormat: 'json',
    http: {
      enabled: false,
      address: config.host,
      get port() {
        return endpoint.port;
      },
    },
    debug: false,
    get pubsubURL() {
      return `${endpoint.url.replace(/^http/, 'ws')}/pubsub`;
    },
    serveStaticAssets: true,
    collectAsset: '',
    forceAsset: false,
    databaseURL: config.databaseUrl ?? '',
    pgPoolMax: config.pgPoolMax,
    pgPoolMin: 0,
    pgPoolIdleTimeoutMillis: 3000,
    assetStore: 'fs',
    assetStoreSecret: config.assetStoreSecret,
    get assetStoreURLPrefix() {
      return endpoint.assetUrlPrefix;
    },
    assetStoreURLExpireDuration: config.assetStoreUrlExpirySeconds,
    assetStoreS3AccessKey: '',
    assetStoreS3SecretKey: '',
    assetStoreS3Bucket: '',
    assetStoreS3Region: '',
    assetStoreS3URLPrefix: undefined,
    cloudAssetHost: undefined,
    cloudAssetToken: undefined,
    cloudAssetStorePublic: config.assetStorePublic ? 'true' : undefined,
    cloudAssetPublicPrefix: undefined,
    cloudAssetPrivatePrefix: undefined,
    loadModules: config.loadModules,
  };
}
