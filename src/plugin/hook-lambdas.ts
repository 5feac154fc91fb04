import { ErrorCodes } from '../protocol/error-codes';
import type { ChatHookEvent } from './chat-hooks';
import type { CloudApi, CloudContainer, CloudLogger } from './cloud-api';

/**
 * The 1.7 cloud-function hooks (chat-plugin-features.md §4.2): after an operation commits, the plugin
 * calls the lambda `chat:<hook>_hook` with the 1.7 `args`, as the actor, through a master-key
 * container (`skygearCloud.getContainer(actorId)`, the same under skygear-node and in our server), so
 * a handler in any loaded cloud module — in process or in another plugin process — gets it. This is
 * how `require('skygear-chat/cloud')` handlers (afterMessageSent …) are served.
 *
 * - `participants`, `new_users` and `old_users` are full user records, read with the record API
 *   (one `record:query` per call), so they are exactly what the server returns for a user.
 * - Calls are made in the background, one at a time in order, so a slow handler never delays the
 *   client that caused the event; a handler's failure is logged. At most MAX_PENDING calls wait;
 *   beyond that new ones are dropped with a warning (a hook must not grow the server's memory).
 * - Most apps register no hook. A host that can tell (`hasLambda`, our server) is asked first, so
 *   an unregistered hook costs nothing; elsewhere (skygear-node) a hook the server does not know
 *   (117) is not called again for ABSENT_TTL_MS.
 */
const MAX_PENDING = 10_000;
const ABSENT_TTL_MS = 30_000;

type UserRecord = Record<string, unknown>;

export class HookLambdas {
  private readonly absentUntil = new Map<string, number>();
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly cloud: CloudApi,
    private readonly log: CloudLogger,
  ) {}

  /** Queues the call of the event's hook lambda; resolves when it is queued, not when it ran. */
  enqueue(event: ChatHookEvent): void {
    const action = `chat:${event.hook}_hook`;
    if (this.cloud.hasLambda ? !this.cloud.hasLambda(action) : (this.absentUntil.get(action) ?? 0) > Date.now()) return;
    if (typeof this.cloud.getContainer !== 'function') return;
    if (this.pending >= MAX_PENDING) {
      this.log.warn({ action }, 'chat: too many hook calls waiting; this one was dropped');
      return;
    }
    this.pending++;
    this.tail = this.tail
      .then(() => this.call(action, event))
      .catch((err: unknown) => this.log.error({ err, action }, 'chat: calling a hook lambda failed'))
      .finally(() => {
        this.pending--;
      });
  }

  /** Resolves once every queued call has finished (for an orderly shutdown, and tests). */
  idle(): Promise<void> {
    return this.tail;
  }

  private async call(action: string, event: ChatHookEvent): Promise<void> {
    const container = this.cloud.getContainer!(event.actorId);
    const args = await hookArgs(container, event);
    try {
      await container.makeRequest(action, { args });
    } catch (err) {
      if (errorCode(err) === ErrorCodes.UndefinedOperation) {
        this.absentUntil.set(action, Date.now() + ABSENT_TTL_MS);
        return;
      }
      throw err;
    }
  }
}

/** The 1.7 `args` of each hook (§4.2), with user records in place of user ids. */
async function hookArgs(container: CloudContainer, e: ChatHookEvent): Promise<Record<string, unknown>> {
  const wanted = [...e.participantIds];
  if (e.hook === 'after_users_added_to_conversation') wanted.push(...e.addedIds);
  if (e.hook === 'after_users_removed_from_conversation') wanted.push(...e.removedIds);
  const users = await fetchUsers(container, wanted);
  const records = (ids: string[]) => ids.map((id) => users.get(id)).filter((u): u is UserRecord => u !== undefined);
  const base = { conversation: e.conversation, participants: records(e.participantIds) };
  switch (e.hook) {
    case 'after_message_sent':
    case 'after_message_updated':
    case 'after_message_deleted':
      return { ...base, message: e.message };
    case 'typing_started':
      return { ...base, events: e.event };
    case 'after_users_added_to_conversation':
      return { ...base, new_users: records(e.addedIds) };
    case 'after_users_removed_from_conversation':
      return { ...base, old_users: records(e.removedIds) };
    default:
      return base;
  }
}

async function fetchUsers(container: CloudContainer, ids: string[]): Promise<Map<string, UserRecord>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const body = (await container.makeRequest('record:query', {
    database_id: '_public',
    record_type: 'user',
    predicate: ['in', { $type: 'keypath', $val: '_id' }, unique],
    limit: unique.length,
  })) as { result?: unknown };
  const list = Array.isArray(body?.result) ? (body.result as UserRecord[]) : [];
  return new Map(list.map((u) => [String(u._id).replace(/^user\//, ''), u]));
}

function errorCode(err: unknown): number | undefined {
  const code = (err as { error?: { code?: unknown } })?.error?.code;
  return typeof code === 'number' ? code : undefined;
}
