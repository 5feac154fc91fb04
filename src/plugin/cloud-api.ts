/**
 * The plugin's view of `skygearCloud` is the shared facade contract (protocol/cloud-facade.ts): the
 * plugin never imports the server, it talks to the world only through the object passed to
 * `includeme(skygearCloud, settings)`. `CloudApi` is the name this package has always exported.
 */
export type {
  CloudCallOptions,
  CloudContainer,
  CloudContext,
  CloudFacade as CloudApi,
  CloudLogger,
  CloudSkygearErrorClass,
  EventFn,
  HookFn,
  LambdaFn,
  RecordSave,
} from '../protocol/cloud-facade';

/** The second argument of includeme. skygear-node passes `{}`; tests may pass a pool. */
export interface ChatSettings {
  /** A pg.Pool-like pool to use instead of the host's (see runtime/choose-run-mode.ts). */
  pool?: unknown;
  [key: string]: unknown;
}
