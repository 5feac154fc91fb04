import { Outbox } from '../realtime';
import { withTransaction } from '../sql';
import type { ChatServices, Work } from './chat-runtime';

/** A lambda's work in one transaction of its own; its realtime events and chat hooks after COMMIT. */
export async function runLambda<T>(services: ChatServices, work: Work<T>): Promise<T> {
  const { result, dispatch } = await withTransaction(services.pool, async (client) => {
    const outbox = new Outbox();
    const value = await work(client, outbox);
    return { result: value, dispatch: await outbox.resolve(client) };
  });
  await dispatch.send(services);
  return result;
}
