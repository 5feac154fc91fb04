import type { ChatHookEvent, ChatListeners } from './chat-hooks';
import type { CloudApi, CloudLogger } from './cloud-api';
import type { HookLambdas } from './hook-lambdas';
import type { RecordJSON } from './records';
import type { Queryable } from './sql';

/** What a Dispatch needs of the plugin's services (runtime/chat-runtime.ts ChatServices has them all). */
export interface DispatchServices {
  cloud: Pick<CloudApi, 'publishEventsToChannels'>;
  log: CloudLogger;
  listeners: Pick<ChatListeners, 'notify'>;
  hookLambdas: Pick<HookLambdas, 'enqueue'>;
}

/**
 * Realtime fan-out (chat-api.md §4). Every user has a `user_channel` record (saved by the client in
 * its private database) whose `name` is the pubsub channel the plugin publishes that user's events to.
 *
 * An operation collects what to publish in an Outbox while its transaction runs; `resolve` looks up
 * all recipients' channels with ONE query on the transaction's client; the resulting Dispatch is sent
 * after COMMIT, so no event describes data a reader cannot see yet. Chat extension hooks ride along
 * and run after the events are published.
 */
export interface ChatEvent {
  event: string;
  data: Record<string, unknown>;
  [key: string]: unknown;
}

export type RecordEventType = 'create' | 'update' | 'delete';

export function recordEvent(eventType: RecordEventType, recordType: string, record: RecordJSON): ChatEvent {
  return { event: eventType, data: { record_type: recordType, event_type: eventType, type: 'record', record } };
}

interface Delivery {
  users: string[];
  event: ChatEvent;
}

/** The (owner, name) channel rows of the users in the text[] placeholder `users`. */
export function channelsOfSQL(users: string): string {
  return `SELECT _owner_id AS owner, name FROM user_channel WHERE _owner_id = ANY(${users}::text[]) AND name IS NOT NULL AND name <> ''`;
}

/** The channel rows of a `json_agg(json_build_object('owner', …, 'name', …))` column (parsed or text). */
export function parseChannels(value: unknown): Array<{ owner: string; name: string }> {
  const list: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!Array.isArray(list)) return [];
  return list
    .filter((c): c is { owner: unknown; name: unknown } => typeof c === 'object' && c !== null)
    .map((c) => ({ owner: String(c.owner), name: String(c.name) }));
}

export class Outbox {
  private readonly deliveries: Delivery[] = [];
  private readonly hooks: ChatHookEvent[] = [];
  /** Channels already read by a caller's own statement (the send path), so resolve need not query. */
  private readonly knownChannels = new Map<string, string[]>();

  publish(users: Iterable<string>, event: ChatEvent): void {
    const list = [...new Set(users)];
    if (list.length > 0) this.deliveries.push({ users: list, event });
  }

  publishRecord(users: Iterable<string>, eventType: RecordEventType, recordType: string, record: RecordJSON): void {
    this.publish(users, recordEvent(eventType, recordType, record));
  }

  /** A chat hook event, told after the events are out (see chat-hooks.ts). */
  hook(event: ChatHookEvent): void {
    this.hooks.push(event);
  }

  /**
   * Records the channels of `users` (`channels`: owner → names, as read in the caller's statement),
   * so resolve does not look them up again. A user without an entry has no channel.
   */
  useChannels(users: Iterable<string>, channels: ReadonlyArray<{ owner: string; name: string }>): void {
    for (const user of users) if (!this.knownChannels.has(user)) this.knownChannels.set(user, []);
    for (const { owner, name } of channels) this.knownChannels.get(owner)?.push(name);
  }

  /** Channel names for every recipient in one query (none if all are known); call inside the transaction. */
  async resolve(q: Queryable): Promise<Dispatch> {
    const channels = this.knownChannels;
    const unknown = [...new Set(this.deliveries.flatMap((d) => d.users))].filter((u) => !channels.has(u));
    if (unknown.length > 0) {
      this.useChannels(unknown, (await q.query<{ owner: string; name: string }>(channelsOfSQL('$1'), [unknown])).rows);
    }
    // Events with the same recipients travel together: one publishEventsToChannels call each (under
    // skygear-node every call opens a websocket).
    const batches = new Map<string, { channels: string[]; events: ChatEvent[] }>();
    for (const d of this.deliveries) {
      const names = [...new Set(d.users.flatMap((u) => channels.get(u) ?? []))].sort();
      if (names.length === 0) continue;
      const key = names.join('\n');
      if (!batches.has(key)) batches.set(key, { channels: names, events: [] });
      batches.get(key)!.events.push(d.event);
    }
    return new Dispatch([...batches.values()], [...this.hooks]);
  }
}

export class Dispatch {
  constructor(
    private readonly batches: Array<{ channels: string[]; events: ChatEvent[] }>,
    private readonly hooks: ChatHookEvent[],
  ) {}

  /** Publishes every batch. Failures are logged: the data is committed, the request succeeded. */
  async publish(rt: DispatchServices): Promise<void> {
    for (const batch of this.batches) {
      try {
        await rt.cloud.publishEventsToChannels(batch.channels, batch.events);
      } catch (err) {
        rt.log.error({ err }, 'chat: publishing realtime events failed');
      }
    }
  }

  /**
   * Tells the chat hooks, in order: the in-process listeners now (a failing one is logged and never
   * affects the others), the hook lambdas in the background (hook-lambdas.ts).
   */
  async notify(rt: DispatchServices): Promise<void> {
    for (const event of this.hooks) {
      try {
        await rt.listeners.notify(event);
      } catch (err) {
        rt.log.error({ err }, 'chat: a chat hook listener failed');
      }
      rt.hookLambdas.enqueue(event);
    }
  }

  async send(rt: DispatchServices): Promise<void> {
    await this.publish(rt);
    await this.notify(rt);
  }
}
