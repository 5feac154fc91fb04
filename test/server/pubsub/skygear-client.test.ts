/** The unmodified skygear 1.7.2 npm client against the gateway (memory bus, one node). */
import { silentLogger } from '../../../src/server/core/log';
import { MemoryBus } from '../../../src/server/pubsub/memory';
import { closeSkygear, newSkygear, type Node, type SkygearContainer, startNode, waitFor } from './helpers';

describe('pubsub with the skygear 1.7.2 client', () => {
  let node: Node;
  const containers: SkygearContainer[] = [];

  beforeEach(async () => {
    node = await startNode(new MemoryBus(silentLogger));
  });
  afterEach(async () => {
    containers.splice(0).forEach(closeSkygear);
    await waitFor(() => node.gateway.connectionCount() === 0, 'the clients to disconnect');
    await node.close();
  });

  const client = async (): Promise<SkygearContainer> => {
    const container = await newSkygear(node.endPoint);
    containers.push(container);
    return container;
  };

  it('opens both /pubsub and /_/pubsub after config, and both are accepted', async () => {
    const a = await client();
    await waitFor(() => node.gateway.connectionCount() === 2, 'both sockets');
    await waitFor(() => a.pubsub._pubsub.connected && a.pubsub._internalPubsub.connected, 'the client to see both open');
  });

  it('delivers a publish from one container to handlers in both (the publisher is subscribed too)', async () => {
    const alice = await client();
    const bob = await client();
    const toAlice: unknown[] = [];
    const toBob: unknown[] = [];
    alice.pubsub.on('room', (data: unknown) => toAlice.push(data));
    bob.pubsub.on('room', (data: unknown) => toBob.push(data));
    await waitFor(() => node.gateway.subscriberCount('public', 'room') === 2, 'both subscriptions');

    bob.pubsub.publish('room', { text: 'hello', from: 'bob', n: 1 });
    await waitFor(() => toAlice.length === 1 && toBob.length === 1, 'both handlers');
    expect(toAlice).toEqual([{ text: 'hello', from: 'bob', n: 1 }]);
    expect(toBob).toEqual(toAlice);
  });

  it('once() resolves with the next message and unsubscribes', async () => {
    const listener = await client();
    const talker = await client();
    const next = listener.pubsub.once('news');
    await waitFor(() => node.gateway.subscriberCount('public', 'news') === 1, 'the subscription');
    talker.pubsub.publish('news', { headline: 'first' });
    await expect(next).resolves.toEqual({ headline: 'first' });
    await waitFor(() => node.gateway.subscriberCount('public', 'news') === 0, 'the unsub');
  });

  it("off() stops delivery to that container's handlers", async () => {
    const quitter = await client();
    const stayer = await client();
    const toQuitter: unknown[] = [];
    const toStayer: unknown[] = [];
    quitter.pubsub.on('room', (d: unknown) => toQuitter.push(d));
    stayer.pubsub.on('room', (d: unknown) => toStayer.push(d));
    await waitFor(() => node.gateway.subscriberCount('public', 'room') === 2, 'both subscriptions');
    quitter.pubsub.off('room');
    await waitFor(() => node.gateway.subscriberCount('public', 'room') === 1, 'the unsub');
    stayer.pubsub.publish('room', { after: 'off' });
    await waitFor(() => toStayer.length === 1, 'delivery to the stayer');
    expect(toQuitter).toEqual([]);
  });

  it('flushes a publish queued before the socket opened', async () => {
    const receiver = await client();
    const got: unknown[] = [];
    receiver.pubsub.on('queued', (d: unknown) => got.push(d));
    await waitFor(() => node.gateway.subscriberCount('public', 'queued') === 1, 'the subscription');
    const early = await client(); // config() has started connecting; not open yet
    early.pubsub.publish('queued', { early: true });
    await waitFor(() => got.length === 1, 'the queued message');
    expect(got).toEqual([{ early: true }]);
  });
});
