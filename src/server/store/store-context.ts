import type { AssetUrls } from '../core/asset-urls';
import type { Driver } from '../db/driver';
import type { Logger } from '../core/log';
import type { RecordHooks } from './record-hooks';
import type { AccessSettingsCache } from './access/access-settings';
import type { SchemaCatalog } from './schema/schema-catalog';

/** What createRecordStore is given. */
export interface RecordStoreDeps {
  db: Driver;
  schema: string;
  hooks: RecordHooks;
  assets: AssetUrls;
  log: Logger;
  devMode: boolean;
}

/** What every store operation works with (built once by createRecordStore). */
export interface StoreContext extends RecordStoreDeps {
  catalog: SchemaCatalog;
  /** This store's cache of creation roles, default ACLs and the field ACL (access/access-settings.ts). */
  accessSettings: AccessSettingsCache;
}
