import Redis from 'ioredis';
import { silentLogger } from '../../../src/server/core/log';
import { createPubsubBus } from '../../../src/server/pubsub';
import type { HubName } from '../../../src/server/pubsub/pubsub';
import { RedisBus } from '../../../src/server/pubsub/redis';
import { runBusConformance } from './bus-conformance';
import { REDIS_URL, uniqueRedisPrefix, waitFor } from './helpers';

runBusConformance('RedisBus', () => new RedisBus(REDIS_URL, silentLogger, { prefix: uniqueRedisPrefix() }));

type Received = { hub: HubName; channel: string; data: unknown };

function recordingBus(prefix: string): { bus: RedisBus; received: Received[] } {
  const bus = new RedisBus(REDIS_URL, silentLogger, { prefix });
  const received: Received[] = [];
  bus.onMessage((hub, channels, data) => {
      for (const channel of channels) received.push({ hub, channel, data });
    });
  return { bus, received };
}

describe('RedisBus across nodes', () => {
  const open: RedisBus[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((bus) => bus.close()));
  });
  const track = <T extends { bus: RedisBus }>(node: T): T => {
    open.push(node.bus);
    return node;
  };

  it('delivers exactly once on every node sharing the prefix, the publishing node included', async () => {
    const prefix = uniqueRedisPrefix();
    const a = track(recordingBus(prefix));
    const b = track(recordingBus(prefix));
    await Promise.all([a.bus.ready(), b.bus.ready()]);

    await a.bus.publish('public', 'room', { from: 'a' });
    await b.bus.publish('internal', '_sub_device', { from: 'b' });
    // Each node also publishes a marker that, once seen by the other node, proves Redis has
    // relayed everything before it (Redis keeps one connection's messages in order).
    await a.bus.publish('public', 'marker', 'a');
    await b.bus.publish('public', 'marker', 'b');
    const sawMarkers = (r: Received[]): boolean => r.filter((m) => m.channel === 'marker').length === 2;
    await waitFor(() => sawMarkers(a.received) && sawMarkers(b.received), 'both markers on both nodes');

    const expected = [
      { hub: 'public', channel: 'room', data: { from: 'a' } },
      { hub: 'internal', channel: '_sub_device', data: { from: 'b' } },
    ];
    for (const node of [a, b]) {
      expect(node.received.filter((m) => m.channel !== 'marker')).toEqual(expect.arrayContaining(expected));
      expect(node.received.filter((m) => m.channel !== 'marker')).toHaveLength(2);
    }
  });

  it('does not cross prefixes (apps sharing one Redis stay apart)', async () => {
    const prefixB = uniqueRedisPrefix();
    const a = track(recordingBus(uniqueRedisPrefix()));
    const b = track(recordingBus(prefixB));
    const bPeer = track(recordingBus(prefixB));
    await Promise.all([a.bus.ready(), b.bus.ready(), bPeer.bus.ready()]);

    await a.bus.publish('public', 'room', { app: 'a' });
    await b.bus.publish('public', 'room', { app: 'b' });
    await waitFor(() => bPeer.received.length === 1, "b's message on b's peer");
    expect(bPeer.received).toEqual([{ hub: 'public', channel: 'room', data: { app: 'b' } }]);
    expect(b.received).toEqual([{ hub: 'public', channel: 'room', data: { app: 'b' } }]);
    expect(a.received).toEqual([{ hub: 'public', channel: 'room', data: { app: 'a' } }]);
  });

  it('publishMany is one Redis message that every other node delivers to each of its channels', async () => {
    const prefix = uniqueRedisPrefix();
    const a = track(recordingBus(prefix));
    const b = track(recordingBus(prefix));
    const spy = new Redis(REDIS_URL);
    const wire: string[] = [];
    try {
      await spy.subscribe(`${prefix}:public`);
      spy.on('message', (_channel: string, payload: string) => wire.push(payload));
      await Promise.all([a.bus.ready(), b.bus.ready()]);
      await a.bus.publishMany('public', ['u1', 'u2', 'u3'], { event: 'create' });
      await waitFor(() => b.received.length === 3 && wire.length === 1, 'three deliveries on b from one Redis message');
      expect(b.received.map((m) => m.channel)).toEqual(['u1', 'u2', 'u3']);
      expect(JSON.parse(wire[0])).toMatchObject({ channels: ['u1', 'u2', 'u3'], data: { event: 'create' } });
      expect(a.received).toHaveLength(3); // its own node: directly, not through the echo
    } finally {
      spy.disconnect();
    }
  });

  it('ignores foreign or malformed messages on its Redis channels', async () => {
    const prefix = uniqueRedisPrefix();
    const node = track(recordingBus(prefix));
    await node.bus.ready();
    const raw = new Redis(REDIS_URL);
    try {
      await raw.publish(`${prefix}:public`, 'not json');
      await raw.publish(`${prefix}:public`, JSON.stringify({ channel: 'room', data: 1 })); // no node id
      await raw.publish(`${prefix}:public`, JSON.stringify([1, 2]));
      await raw.publish(`${prefix}:public`, JSON.stringify({ node: 'elsewhere', channels: ['room', 7], data: 2 })); // a bad channel
      await raw.publish(`${prefix}:public`, JSON.stringify({ node: 'elsewhere', channel: 'room', data: { ok: 1 } }));
      await waitFor(() => node.received.length > 0, 'the well-formed message');
      expect(node.received).toEqual([{ hub: 'public', channel: 'room', data: { ok: 1 } }]);
    } finally {
      await raw.quit();
    }
  });

  it('still delivers on its own node while Redis is unreachable, and closes cleanly', async () => {
    const bus = new RedisBus('redis://127.0.0.1:1', silentLogger, { readyTimeoutMs: 300 });
    const received: Received[] = [];
    bus.onMessage((hub, channels, data) => {
      for (const channel of channels) received.push({ hub, channel, data });
    });
    try {
      await expect(bus.ready()).rejects.toThrow(/not subscribed|could not subscribe/);
      await expect(bus.publish('public', 'room', { local: true })).resolves.toBeUndefined();
      expect(received).toEqual([{ hub: 'public', channel: 'room', data: { local: true } }]);
    } finally {
      await bus.close();
    }
  });
});

describe('createPubsubBus with a Redis URL', () => {
  it('returns a RedisBus', async () => {
    const bus = createPubsubBus(REDIS_URL, silentLogger, { prefix: uniqueRedisPrefix() });
    expect(bus).toBeInstanceOf(RedisBus);
    await bus.ready?.();
    await bus.close();
  });
});
