/** Record hooks as the record store calls them: the port the plugin host (plugins/) implements. */
import type { RecordSave } from '../../protocol/cloud-facade';
import type { AuthContext } from '../core/auth-context';
import type { Tx } from '../db/driver';
import type { RecordJSON } from './codec/record-json';

/** The closed list of record hook triggers (camelCase, as the Go server accepts them). */
export const HOOK_TRIGGERS = ['beforeSave', 'afterSave', 'beforeDelete', 'afterDelete'] as const;
export type HookTrigger = (typeof HOOK_TRIGGERS)[number];

export interface HookCall {
  trigger: HookTrigger;
  recordType: string;
  /** The full merged record (save) or the stored record (delete), wire JSON. */
  record: RecordJSON;
  /** The stored record before this save; null on create and for delete hooks. */
  original: RecordJSON | null;
  auth: AuthContext;
  requestId: string;
  /** The transaction the save runs in; in-process hooks run their SQL on it. */
  tx: Tx;
  /** The record's save (save hooks only): what in-process save hooks get as `options.save`. */
  save?: RecordSave;
}

/**
 * What the record store needs from the plugin host. The store calls it for every record, inside the
 * save's transaction; a before-save result replaces the record's data fields (not owner/timestamps).
 * A thrown SkygearError fails that record.
 */
export interface RecordHooks {
  has(trigger: HookTrigger, recordType: string): boolean;
  run(call: HookCall): Promise<RecordJSON | undefined>;
}

export const noHooks: RecordHooks = {
  has: () => false,
  run: async () => undefined,
};
