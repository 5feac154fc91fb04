
import { startTestServer, type TestServer } from './server';

/**
 * The unmodified skygear 1.7.2 client is untyped JavaScript; tests use it as `any`.
 * (`container.auth`, `container.publicDB`, `container.lambda(...)`, `container.pubsub`, …)
 */
export type Container = any;

const skygear: any = require('skygear');
const { Store }: { Store: new (driver: unknown) => unknown } = require('skygear-core/dist/store');

/**
 * An in-memory storage driver with the async interface skygear-core's Store expects (the same
 * methods as its private SyncStorageDriver). One per container, so containers never share the
 * token, the current user or the query cache — the npm client's default store is a process-wide
 * singleton.
 */
export class MemoryStorageDriver {
  private readonly items = new Map<string, string>();

  async clear(callback?: (err: null) => void) {
    this.items.clear();
    callback?.(null);
  }
  async getItem(key: string, callback?: (err: null, value: string | null) => void) {
    const value = this.items.get(key) ?? null;
    callback?.(null, value);
    return value;
  }
  async setItem(key: string, value: string, callback?: (err: null) => void) {
    this.items.set(key, String(value));
    callback?.(null);
  }
  async removeItem(key: string, callback?: (err: null) => void) {
    this.items.delete(key);
    callback?.(null);
  }
  async multiGet(keys: string[], callback?: (err: null, out: Array<{ key: string; value: string | null }>) => void) {
    const out = keys.map((key) => ({ key, value: this.items.get(key) ?? null }));
    callback?.(null, out);
    return out;
  }
  async multiSet(pairs: Array<{ key: string; value: string }>, callback?: (err: null) => void) {
    for (const { key, value } of pairs) this.items.set(key, String(value));
    callback?.(null);
  }
  async multiRemove(keys: string[], callback?: (err: null) => void) {
    for (const key of keys) this.items.delete(key);
    callback?.(null);
  }
  async key(n: number, callback?: (err: null, key: string | null) => void) {
    const key = [...this.items.keys()][n] ?? null;
    callback?.(null, key);
    return key;
  }
  async keys(callback?: (err: null, keys: string[]) => void) {
    const keys = [...this.items.keys()];
    callback?.(null, keys);
    return keys;
  }
  async length(callback?: (err: null, n: number) => void) {
    callback?.(null, this.items.size);
    return this.items.size;
  }
}

/** Every container made by newClient that has not been closed yet. */
const openClients = new Set<Container>();

export interface NewClientOptions {
  /** Defaults to the server's API key; pass the master key for an admin client. */
  apiKey?: string;
}

/**
 * A fresh, unmodified skygear Container pointed at the server (`endPoint` = url + '/'), with its
 * own token storage. `config()` opens the client's pubsub websockets, so close it with closeClient
 * (or closeAllClients in afterAll/afterEach) or jest will not exit.
 */
export async function newClient(server: Pick<TestServer, 'url' | 'config'>, opts: NewClientOptions = {}): Promise<Container> {
  const container: Container = new skygear.constructor();
  container._store = new Store(new MemoryStorageDriver());
  await container.config({ endPoint: `${server.url}/`, apiKey: opts.apiKey ?? server.config.apiKey });
  openClients.add(container);
  return container;
}

/** A new client signed up as `username` (password `<username>-password` unless given). */
export async function signupClient(
  server: Pick<TestServer, 'url' | 'config'>,
  username: string,
  password = `${username}-password`,
  profile?: Record<string, unknown>,
): Promise<Container> {
  const container = await newClient(server);
  await container.auth.signupWithUsername(username, password, profile);
  return container;
}

/**
 * Closes the container's two pubsub websockets and stops the client from reconnecting (it retries
 * on a timer after every close, which would keep jest alive and reconnect to the next server).
 */
export function closeClient(container: Container): void {
  openClients.delete(container);
  container.pubsub.autoPubsub = false;
  for (const pubsub of [container.pubsub._pubsub, container.pubsub._internalPubsub]) {
    pubsub._reconnect = () => undefined;
    pubsub.connect = () => undefined;
    pubsub.close();
  }
}

export function closeAllClients(): void {
  for (const container of [...openClients]) closeClient(container);
}

/** A test server with clients signed up as alice and bob and an anonymous one (record tests). */
export async function startServerWithUsers(): Promise<{ server: TestServer; alice: Container; bob: Container; anon: Container }> {
  const server = await startTestServer();
  return { server, alice: await signupClient(server, 'alice'), bob: await signupClient(server, 'bob'), anon: await newClient(server) };
}
