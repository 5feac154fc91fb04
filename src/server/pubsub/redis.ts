import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { Logger } from '../core/log';
import { LocalDeliveries } from './local-delivery';
import type { Delivery, HubName, PubsubBus } from './pubsub';

/**
 * Pubsub over Redis so several server nodes share realtime fan-out.
 *
 * Layout: ONE Redis channel per hub, `<prefix>:public` and `<prefix>:internal`, each message a JSON
 * envelope `{"node","channels":[…],"data"}` (one per publish, however many channels; the older
 * single-channel `{"node","channel","data"}` is still understood). Every node subscribes to both hub
 * channels once at start and filters by Skygear channel locally (a Map lookup in the gateway). We
 * chose this over a Redis channel per Skygear channel because the Redis subscription set then never
 * changes with websocket churn: there is no SUBSCRIBE/UNSUBSCRIBE race against sockets coming and
 * going, nothing to resync after a reconnect beyond ioredis' own auto-resubscribe, and the bus
 * contract needs no subscribe hooks.
 * The cost is that every node sees every message, which is fine at chat scale.
 *
 * A publish is delivered to this node's own callbacks directly (not through the Redis echo, which
 * is recognised by `node` and skipped): same-node subscribers keep working while Redis is down, and
 * messages from one publisher stay in order on every node.
 *
 * Delivery is best effort, like Go's hub: `publish` never rejects; a message that cannot reach Redis
 * is logged and lost for other nodes. ioredis reconnects with the back-off below and resubscribes.
 */
export interface RedisBusOptions {
  /** Prefix of the two hub channels; default `skygear:pubsub`. Use one per app sharing a Redis. */
  prefix?: string;
  /** How long `ready()` waits for the hub subscriptions before rejecting; default 10 s. */
  readyTimeoutMs?: number;
}

export const DEFAULT_REDIS_PREFIX = 'skygear:pubsub';

interface Envelope {
  node: string;
  /** What this bus sends: every channel the data is for. */
  channels?: string[];
  /** The single-channel form of earlier versions, still accepted from other nodes. */
  channel?: string;
  data: unknown;
}

const HUBS: readonly HubName[] = ['public', 'internal'];

/** Reconnect back-off: 100 ms, 200 ms … capped at 3 s, forever (realtime should heal by itself). */
const retryStrategy = (attempt: number): number => Math.min(attempt * 100, 3000);

const connectionOptions = {
  retryStrategy,
  // disconnect() arms a timer of this length that is only cleared by the socket's 'close' event;
  // when the socket had already closed (Redis down, between retries) the timer just runs out and
  // keeps the process alive for that long. Short, so shutdown is prompt.
  disconnectTimeout: 100,
};

export class RedisBus implements PubsubBus {
  /** Identifies this bus in envelopes so it can skip its own echo. */
  readonly nodeId = randomUUID();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly local: LocalDeliveries;
  private readonly channelOf: Record<HubName, string>;
  private readonly hubOf = new Map<string, HubName>();
  private readonly subscribed: Promise<boolean>;
  /** Without an offline queue, the first publish must wait until the publisher is connected. */
  private readonly publisherReady: Promise<void>;
  private readonly readyTimeoutMs: number;
  private readonly where: string;
  private closing: Promise<void> | undefined;

  constructor(
    url: string,
    private readonly log: Logger,
    options: RedisBusOptions = {},
  ) {
    const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
    this.where = redactUrl(url);
    this.local = new LocalDeliveries(log);
    this.channelOf = { public: `${prefix}:public`, internal: `${prefix}:internal` };
    for (const hub of HUBS) this.hubOf.set(this.channelOf[hub], hub);

    // While Redis is down a publish fails at once instead of waiting for a reconnect: it runs after
    // the request's COMMIT, so waiting made every send as slow as the reconnect back-off (1–3 s per
    // send, test/reliability/faults-services.test.ts). A stale realtime event is worth less than a
    // node that keeps answering; other nodes miss what is published during the outage.
    this.publisher = new Redis(url, { ...connectionOptions, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.publisherReady = new Promise((resolve) => this.publisher.once('ready', () => resolve()));
    // The subscriber's SUBSCRIBE may wait as long as it takes for Redis to come up.
    this.subscriber = new Redis(url, { ...connectionOptions, maxRetriesPerRequest: null });
    this.watch(this.publisher, 'publisher');
    this.watch(this.subscriber, 'subscriber');

    this.subscriber.on('message', (redisChannel: string, payload: string) => this.receive(redisChannel, payload));
    this.subscribed = this.subscriber.subscribe(...HUBS.map((hub) => this.channelOf[hub])).then(
      () => true,
      (err: unknown) => {
        if (!this.closing) this.log.error({ err, redis: this.where }, 'pubsub: subscribing to Redis failed');
        return false;
      },
    );
  }

  async publish(hub: HubName, channel: string, data: unknown): Promise<void> {
    await this.publishMany(hub, [channel], data);
  }

  async publishMany(hub: HubName, channels: readonly string[], data: unknown): Promise<void> {
    if (this.closing || channels.length === 0) return;
    this.local.deliver(hub, channels, data);
    let payload: string;
    try {
      payload = JSON.stringify({ node: this.nodeId, channels: [...channels], data } satisfies Envelope);
    } catch (err) {
      this.log.warn({ err, hub, channels }, 'pubsub: data cannot be serialised; not sent to other nodes');
      return;
    }
    try {
      await this.publisher.publish(this.channelOf[hub], payload);
    } catch (err) {
      // During an outage (already logged once by watch()) every publish fails: keep the log quiet.
      const level = this.publisher.status === 'ready' ? 'warn' : 'debug';
      this.log[level]({ err, hub, channels, redis: this.where }, 'pubsub: publish to Redis failed; other nodes miss it');
    }
  }

  onMessage(deliver: Delivery): void {
    this.local.add(deliver);
  }

  /** Resolves once both hub channels are subscribed and the publisher is connected; rejects after `readyTimeoutMs` or on failure. */
  async ready(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.readyTimeoutMs);
    });
    try {
      const both = Promise.all([this.subscribed, this.publisherReady]).then(([subscribed]) => subscribed);
      const outcome = await Promise.race([both, timeout]);
      if (outcome === 'timeout') throw new Error(`pubsub: Redis at ${this.where} not subscribed after ${this.readyTimeoutMs} ms`);
      if (!outcome) throw new Error(`pubsub: could not subscribe to Redis at ${this.where}`);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    this.closing ??= Promise.all([quit(this.publisher), quit(this.subscriber)]).then(() => undefined);
    return this.closing;
  }

  private receive(redisChannel: string, payload: string): void {
    const hub = this.hubOf.get(redisChannel);
    if (!hub || this.closing) return;
    let envelope: unknown;
    try {
      envelope = JSON.parse(payload);
    } catch {
      this.log.warn({ redisChannel }, 'pubsub: ignoring a Redis message that is not JSON');
      return;
    }
    if (!isEnvelope(envelope)) {
      this.log.warn({ redisChannel }, 'pubsub: ignoring a Redis message without node/channel');
      return;
    }
    if (envelope.node === this.nodeId) return; // already delivered locally at publish time
    this.local.deliver(hub, envelope.channels ?? [envelope.channel!], envelope.data);
  }

  /** Logs an outage once (not once per reconnect attempt) and its end. */
  private watch(connection: Redis, role: string): void {
    let down = false;
    connection.on('error', (err: Error) => {
      if (down || this.closing) return;
      down = true;
      this.log.warn({ err, redis: this.where, role }, 'pubsub: Redis connection error; reconnecting');
    });
    connection.on('ready', () => {
      if (down) this.log.info({ redis: this.where, role }, 'pubsub: Redis connection restored');
      down = false;
    });
  }
}

function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Partial<Envelope>;
  const isChannel = (c: unknown): c is string => typeof c === 'string' && c !== '';
  const addressed = e.channels === undefined ? isChannel(e.channel) : Array.isArray(e.channels) && e.channels.every(isChannel);
  return typeof e.node === 'string' && addressed && 'data' in e;
}

/** QUIT when connected (clean), otherwise drop the connection and stop reconnecting. */
async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connection.quit(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('QUIT timed out')), 2000);
      }),
    ]);
  } catch {
    connection.disconnect();
  } finally {
    clearTimeout(timer);
  }
}

/** The URL without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable redis url>';
  }
}
