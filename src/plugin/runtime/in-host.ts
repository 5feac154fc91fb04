import type { RecordSave } from '../cloud-api';
import { Outbox } from '../realtime';
import type { AfterSaveWork, ChatRuntime, ChatServices } from './chat-runtime';
import { runLambda } from './lambda';
import { afterSaveOnOwnConnection, beforeSaveOnOwnConnection } from './own-connection';

/**
 * Running inside our host: a save hook gets the record's save (`options.save`) and works in its
 * transaction, so what it writes commits or rolls back with the record, and the before-save hook may
 * lock rows and carry them to the after-save hook. A hook the host calls outside a save (no
 * `options.save`) works as on an own connection.
 *
 * The work runs directly in the save's transaction, with no SAVEPOINT around it (two round trips per
 * hook): a hook that throws fails the save and the host rolls the whole transaction back, so nothing
 * relies on undoing only the hook's part. What is given up is withTransaction's retry after a
 * deadlock: the save fails instead (the conversation-first lock order keeps that rare).
 */
export function inHostRuntime(services: ChatServices): ChatRuntime {
  return {
    ...services,
    lambda: (work) => runLambda(services, work),
    beforeSave: (options, work) => (options.save ? work(options.save.client, options.save) : beforeSaveOnOwnConnection(services, work)),
    afterSave: (options, visible, work) =>
      options.save ? afterSaveInSave(services, options.save, work) : afterSaveOnOwnConnection(services, visible, work),
  };
}

/** The work in the save's transaction; its events and chat hooks once the save has committed. */
async function afterSaveInSave(services: ChatServices, save: RecordSave, work: AfterSaveWork): Promise<void> {
  const outbox = new Outbox();
  await work(save.client, outbox, save);
  const dispatch = await outbox.resolve(save.client);
  save.afterCommit(() => dispatch.send(services));
}
