import type { AssetUrls } from '../assets/signer';
import type { Driver } from '../db/driver';
import type { Logger } from '../log';
import type { RecordHooks } from '../plugins/hooks';
import type { SchemaCatalog } from './schema-catalog';

/** What every store operation works with (built once by createRecordStore). */
export interface StoreContext {
  db: Driver;
  schema: string;
  hooks: RecordHooks;
  assets: AssetUrls;
  log: Logger;
  devMode: boolean;
  catalog: SchemaCatalog;
}
