
import { randomUUID } from 'node:crypto';
import { MemoryStorageDriver, closeClient } from '../support/client';
import type { TestServer } from '../support/server';
import { eventually } from '../plugin/support';

/**
 * Users of the published chat JS SDK (`skygear-chat` on npm), unmodified. The SDK talks through the
 * `skygear` package's default container — a process-wide singleton, as in a browser tab — so each
 * user gets their own copy of both packages (jest.isolateModules), with in-memory token storage.
 */
export const SDK_VERSIONS = [
  { version: '1.1.1', pkg: 'skygear-chat-1.1.1' },
  { version: '1.3.4', pkg: 'skygear-chat-1.3.4' },
  { version: '1.7.0', pkg: 'skygear-chat' },
] as const;

export interface SdkUser {
  name: string;
  /** The user's bare id. */
  id: string;
  /** The SDK container (`require('skygear-chat')`). */
  chat: any;
  /** This user's copy of the skygear package the SDK uses. */
  skygear: any;
  /** The user's own `user` record, as the SDK's methods expect users. */
  record: any;
  close(): void;
}

export async function sdkUser(server: Pick<TestServer, 'url' | 'config'>, pkg: string, prefix: string): Promise<SdkUser> {
  let chat: any;
  let skygear: any;
  let Store: any;
  jest.isolateModules(() => {
    skygear = require('skygear');
    chat = require(pkg);
    Store = require('skygear-core/dist/store').Store;
  });
  skygear._store = new Store(new MemoryStorageDriver());
  await skygear.config({ endPoint: `${server.url}/`, apiKey: server.config.apiKey });
  const name = `${prefix}_${randomUUID().slice(0, 8)}`;
  const record = await skygear.auth.signupWithUsername(name, `${name}-password`);
  return { name, id: record._id, chat, skygear, record, close: () => closeClient(skygear) };
}

/** What a user's `subscribe` / typing handlers received. */
export interface SdkFeed {
  records: any[];
  typing: any[];
  waitFor<T>(list: () => T[], match: (x: T) => boolean, what: string, timeoutMs?: number): Promise<T>;
}

/**
 * Subscribes the SDK's record handler, waits until the SDK's user channel is live, then adds the
 * all-typing handler. `subscribe` does not return its promise, so a typing-shaped ping through the
 * channel (which the SDK's dispatcher accepts and ignores) proves the server knows the subscription.
 *
 * One subscription at a time, as a careful app does: the 1.7 SDK's subscribe* calls each look up (or
 * create) the user's channel, so two made back to back before the first finished subscribe its
 * dispatcher twice — every event then reaches every handler twice — or, for a brand-new user, race to
 * create the channel, and the loser's handler is dropped (the channel is unique per user, as in 1.7).
 */
export async function subscribeSdk(user: SdkUser): Promise<SdkFeed> {
  const records: any[] = [];
  const typing: any[] = [];
  user.chat.subscribe((e: any) => records.push(e));
  // The SDK saves its user_channel record in the user's private database (1.1.1 does not keep the
  // record it just created, so ask the database rather than the SDK).
  const UserChannel = user.skygear.Record.extend('user_channel');
  const channel = await eventually(async () => {
    const [record] = await user.skygear.privateDB.query(new user.skygear.Query(UserChannel));
    return record?.name as string | undefined;
  }, `${user.name}'s user channel`);
  const pings: unknown[] = [];
  const probe = (data: any) => pings.push(data);
  user.skygear.pubsub.on(channel, probe);
  const ping = randomUUID();
  await eventually(async () => {
    user.skygear.pubsub.publish(channel, { event: 'typing', data: {}, ping });
    await new Promise((resolve) => setTimeout(resolve, 50));
    return pings.some((p: any) => p.ping === ping);
  }, `${user.name}'s subscription`);
  user.skygear.pubsub.off(channel, probe);
  user.chat.subscribeAllTypingIndicator((e: any) => typing.push(e));
  return {
    records,
    typing,
    waitFor: (list, match, what, timeoutMs) => eventually(async () => list().find(match), what, timeoutMs),
  };
}

/** The Skygear error a rejected SDK call carries (`{error: {code, …}}` from the skygear client). */
export async function sdkError(promise: Promise<unknown>): Promise<{ code: number; message: string; info?: any }> {
  try {
    await promise;
  } catch (err: any) {
    const error = err?.error ?? err;
    if (typeof error?.code === 'number') return error;
    throw new Error(`expected a Skygear error, got ${String(err)}`);
  }
  throw new Error('expected the call to fail');
}
