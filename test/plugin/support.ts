
import { randomUUID } from 'node:crypto';
import { type Container, closeClient, signupClient } from '../support/client';
import { type ClientRejection, rejectionOf } from '../support/errors';
import { type TestServer, type TestServerOptions, startTestServer } from '../support/server';
import { checkInvariants } from './invariants';

const skygear: any = require('skygear');

export const PLUGIN_PATH = require.resolve('../../src/plugin');

/** A test server with the chat plugin loaded in process. */
export function startChatServer(opts: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({ ...opts, loadModules: [PLUGIN_PATH, ...(opts.loadModules ?? [])] });
}

/** One signed-up user with their own unmodified skygear client. */
export class ChatUser {
  constructor(
    readonly name: string,
    readonly client: Container,
  ) {}

  get id(): string {
    return this.client.auth.currentUser._id;
  }

  /** Calls a chat lambda; resolves with the decoded result. */
  call(action: string, args?: unknown): Promise<any> {
    return this.client.lambda(action, args);
  }

  /** Creates a conversation with the others (lambda) and returns its bare id. */
  async createConversation(others: ChatUser[], title = 'chat', options: Record<string, unknown> = {}): Promise<string> {
    const res = await this.call('chat:create_conversation', [others.map((o) => o.id), title, {}, options]);
    return bareId(res.conversation._id);
  }

  /** Sends a message through the record API (public database unless told otherwise); returns its bare id. */
  async send(conversationId: string, body: string, opts: { db?: 'public' | 'private'; extra?: Record<string, unknown> } = {}): Promise<string> {
    const Message = skygear.Record.extend('message');
    const message = new Message({ body, conversation_id: new skygear.Reference(`conversation/${conversationId}`), metadata: {}, ...opts.extra });
    const db = opts.db === 'private' ? this.client.privateDB : this.client.publicDB;
    const saved = await db.save(message);
    return saved._id;
  }

  close(): void {
    closeClient(this.client);
  }
}

export async function signupUsers(server: TestServer, count: number, prefix = 'user'): Promise<ChatUser[]> {
  const users: ChatUser[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}${i}_${randomUUID().slice(0, 8)}`;
    users.push(new ChatUser(name, await signupClient(server, name)));
  }
  return users;
}

export const bareId = (id: string): string => id.slice(id.indexOf('/') + 1);

/** The skygear client's rejection of a call that must fail, checked for its Skygear error code. */
export async function expectError(promise: Promise<unknown>, code: number): Promise<ClientRejection['error']> {
  const rejection = await rejectionOf(promise);
  // Record-API saves of one record reject with the per-item error itself.
  const error = (rejection as any).error ?? rejection;
  if (error.code !== code) throw new Error(`expected error code ${code}, got ${JSON.stringify(rejection)}`);
  return error;
}

export const invariants = (server: TestServer): Promise<void> => checkInvariants(server.db);

/** Polls `probe` until it returns a truthy value (bounded; never hangs a test). */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A user's realtime feed: a user_channel in their private DB, subscribed on the client's pubsub. */
export interface Feed {
  events: any[];
  /** Waits for an event matching `match` and returns it. */
  waitFor(match: (e: any) => boolean, what: string, timeoutMs?: number): Promise<any>;
  /** Events matching `match` so far. */
  matching(match: (e: any) => boolean): any[];
}

export async function subscribeFeed(user: ChatUser): Promise<Feed> {
  const Channel = skygear.Record.extend('user_channel');
  const name = randomUUID();
  await user.client.privateDB.save(new Channel({ name }));
  const events: any[] = [];
  user.client.pubsub.on(name, (data: any) => events.push(data));
  // The subscription is live once the server sees the client's `sub` frame; a ping through our own
  // channel proves it (the publisher is also a subscriber, so it receives its own ping).
  const ping = randomUUID();
  await eventually(async () => {
    user.client.pubsub.publish(name, { event: 'ping', ping });
    await new Promise((resolve) => setTimeout(resolve, 50));
    return events.some((e) => e.ping === ping);
  }, `${user.name}'s channel subscription`);
  const feed: Feed = {
    events,
    matching: (match) => events.filter((e) => e.event !== 'ping' && match(e)),
    waitFor: (match, what, timeoutMs = 10_000) => eventually(async () => feed.matching(match)[0], what, timeoutMs),
  };
  return feed;
}

/** Matches a record event. */
export const recordEventOf = (eventType: string, recordType: string, id?: string) => (e: any) =>
  e.event === eventType && e.data?.record_type === recordType && e.data?.event_type === eventType && (id === undefined || e.data?.record?._id === `${recordType}/${id}`);
