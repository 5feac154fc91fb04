import type { CloudCallOptions } from './cloud-api';
import { invalidArgument, notSupported } from './errors';
import { afterEdit, beforeEdit } from './message-edit';
import { afterSend, beforeSend } from './message-send';
import { wireJSON } from './records';
import type { ChatRuntime } from './runtime/chat-runtime';

/**
 * The message record hooks: a new message is a send (message-send.ts), a save of an existing one an
 * edit (message-edit.ts). Deleting goes through chat:delete_message (message-delete.ts); a record-API
 * delete is refused (111), as in 1.7.
 */
export async function messageBeforeSave(rt: ChatRuntime, record: unknown, original: unknown, options: CloudCallOptions): Promise<unknown> {
  const json = wireJSON(record);
  if (!json) throw invalidArgument('message record is malformed', ['record']);
  const stored = wireJSON(original);
  return stored ? beforeEdit(rt, json, stored, options) : beforeSend(rt, json, options);
}

export async function messageAfterSave(rt: ChatRuntime, record: unknown, original: unknown, options: CloudCallOptions): Promise<void> {
  const json = wireJSON(record);
  if (!json) return;
  const stored = wireJSON(original);
  if (stored) await afterEdit(rt, json, stored, options);
  else await afterSend(rt, json, options);
}

export function messageBeforeDelete(): never {
  throw notSupported('messages cannot be deleted through the record API (call chat:delete_message)');
}
