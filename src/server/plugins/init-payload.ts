import type { Config } from '../core/config';
import type { ServerEndpoint } from '../core/endpoint';

/**
 * The param of every lifecycle event (`before-config`, `init`, …): Go's config struct as JSON
 * (Part B §2.3), with our values. It includes the secrets, as Go's does. skygear-node copies
 * `param.config.*` into its `skyconfig`; in-process modules get the same object as `skyconfig`.
 */
export interface InitPayload {
  config: Record<string, unknown> & { app: Record<string, unknown> };
}

export function initPayload(config: Config, endpoint: ServerEndpoint): InitPayload {
  return {
    config: {
      http: { host: `${config.host}:${endpoint.port}` },
      app: {
        name: config.appName,
        api_key: config.apiKey,
        master_key: config.masterKey,
        access_control: 'role',
        auth_record_keys: [['username'], ['email']],
        dev_mode: config.devMode,
        cors_host: config.corsHost,
        slave: false,
        response_timeout: Math.round(config.responseTimeoutMs / 1000),
      },
      database: { implementation: 'pq', option: config.databaseUrl ?? '' },
      auth: { custom_token_secret: '' },
      asset_store: {
        implementation: 'fs',
        public: config.assetStorePublic,
        fs: { url_prefix: endpoint.assetUrlPrefix, secret: config.assetStoreSecret },
        s3: { access_key: '', secret_key: '', region: '', bucket: '', url_prefix: '' },
        cloud: { host: '', token: '', public_prefix: '', private_prefix: '' },
      },
      apns: { enable: false, type: 'cert', env: 'sandbox', keepalive: 180, cert_config: { cert: '', key: '' }, token_config: { team_id: '', key_id: '', key: '' } },
      fcm: { enable: false, type: 'server_key', service_account: { key: '' }, Server: { key: '' } },
      baidu: { enable: false, api_key: '', secret_key: '' },
      log: {},
      zmq: { timeout: 30, max_bounce: 10 },
      user_audit: { enabled: false, trail_handler_url: '', pw_min_length: 0 },
      verification: { required: false },
    },
  };
}
