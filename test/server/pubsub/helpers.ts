/** Shared helpers for the pubsub tests: a bare http server with the gateway, raw ws clients, skygear clients. */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { silentLogger } from '../../../src/server/core/log';
import { attachPubsubGateway, type PubsubGateway } from '../../../src/server/pubsub/gateway';
import type { PubsubBus } from '../../../src/server/pubsub/pubsub';

export const API_KEY = 'pubsub-test-api-key';
export const MASTER_KEY = 'pubsub-test-master-key';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A Redis channel prefix nobody else uses, so concurrent runs and suites cannot see each other. */
export const uniqueRedisPrefix = (): string => `skygear:test:${randomUUID()}`;

/** Polls until `check` is true; fails with `what` after `timeoutMs` so nothing can hang. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** `promise`, or a failure naming `what` after `timeoutMs`; the timer never outlives the race. */
export async function withTimeout<T>(promise: Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Node {
  server: http.Server;
  gateway: PubsubGateway;
  bus: PubsubBus;
  port: number;
  /** `http://127.0.0.1:<port>/`, what the skygear client is configured with. */
  endPoint: string;
  wsUrl(path: string, apiKey?: string): string;
  close(): Promise<void>;
}

/** A bare http server on 127.0.0.1:0 with only the pubsub gateway attached. */
export async function startNode(bus: PubsubBus, keys = { apiKey: API_KEY, masterKey: MASTER_KEY }): Promise<Node> {
  const server = http.createServer((_req, res) => {
    res.statusCode = 418;
    res.end();
  });
  const gateway = attachPubsubGateway(server, bus, { ...keys, log: silentLogger });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    gateway,
    bus,
    port,
    endPoint: `http://127.0.0.1:${port}/`,
    wsUrl: (path, apiKey = API_KEY) => `ws://127.0.0.1:${port}${path}?api_key=${apiKey}`,
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bus.close();
    },
  };
}

/** A raw `ws` client that records every text frame it receives. */
export class RawClient {
  readonly messages: string[] = [];
  private cursor = 0;
  closeCode: number | undefined;
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(data.toString()));
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
    ws.on('error', () => undefined);
  }

  static open(url: string, options?: WebSocket.ClientOptions): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      const client = new RawClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  sub(channel: string): void {
    this.send({ action: 'sub', channel });
  }

  pub(channel: string, data: unknown): void {
    this.send({ action: 'pub', channel, data });
  }

  /** The next frame not yet returned by next(). */
  async next(what = 'a frame', timeoutMs = 5000): Promise<string> {
    await waitFor(() => this.messages.length > this.cursor, what, timeoutMs);
    return this.messages[this.cursor++]!;
  }

  async nextJson(what?: string): Promise<unknown> {
    return JSON.parse(await this.next(what));
  }

  /** Waits for this exact frame among those not yet returned, and removes it from the stream. */
  async take(frame: string, what: string, timeoutMs = 5000): Promise<void> {
    await waitFor(() => this.messages.indexOf(frame, this.cursor) >= 0, what, timeoutMs);
    this.messages.splice(this.messages.indexOf(frame, this.cursor), 1);
  }

  /** Frames received and not yet returned by next(). */
  pending(): string[] {
    return this.messages.slice(this.cursor);
  }

  async close(): Promise<void> {
    if (this.closeCode === undefined) this.ws.close();
    await withTimeout(this.closed, 'the websocket to close').catch(() => this.ws.terminate());
  }
}

/**
 * A round trip through the server on a private channel: once it returns, every frame this client
 * sent before has been processed, and everything the server routed to it before has arrived
 * (one socket's frames are handled in order). Other clients see nothing of it.
 */
export async function roundTrip(client: RawClient, timeoutMs = 5000): Promise<void> {
  const channel = `rt-${randomUUID()}`;
  client.sub(channel);
  client.pub(channel, { roundTrip: true });
  await client.take(JSON.stringify({ channel, data: { roundTrip: true } }), `round trip on ${channel}`, timeoutMs);
  client.send({ action: 'unsub', channel });
}

/** Subscribes and waits until the server has applied it. */
export async function subscribeAndConfirm(client: RawClient, channel: string): Promise<void> {
  client.sub(channel);
  await roundTrip(client);
}

export interface UpgradeAnswer {
  status: number;
  body: string;
}

/** A raw websocket upgrade request with an exact request target (no URL normalisation). */
export function attemptUpgrade(port: number, target: string, headers: Record<string, string> = {}): Promise<UpgradeAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: target,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Version': '13',
        ...headers,
      },
    });
    req.setTimeout(5000, () => req.destroy(new Error(`no answer to upgrade ${target}`)));
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: '' });
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/* The unmodified skygear 1.7.2 client (plain JavaScript, hence the loose typing). */

export type SkygearContainer = any;

export async function newSkygear(endPoint: string, apiKey = API_KEY): Promise<SkygearContainer> {

  const skygear = new (require('skygear').constructor)();
  await skygear.config({ endPoint, apiKey });
  return skygear;
}

/** The client opens /pubsub and /_/pubsub; close both without triggering its reconnect loop. */
export function closeSkygear(container: SkygearContainer): void {
  container.pubsub._pubsub.close();
  container.pubsub._internalPubsub.close();
}
