/**
 * Where this server is reached. Known only once it listens (PORT=0 picks a free port), so it is not
 * part of Config, which stays as loaded; server.ts fills it in listen().
 */
export interface ServerEndpoint {
  /** `http://host:port` of this server, no trailing slash; '' until it listens. */
  readonly url: string;
  /** The port it listens on (Config.port until then). */
  readonly port: number;
  /** ASSET_STORE_URL_PREFIX, or, when that is unset, the prefix derived from the port it listens on. */
  readonly assetUrlPrefix: string;
}
