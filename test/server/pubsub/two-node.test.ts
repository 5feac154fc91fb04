/** Two server nodes sharing realtime fan-out through Redis (127.0.0.1:6379). */
import { silentLogger } from '../../../src/server/core/log';
import { RedisBus } from '../../../src/server/pubsub/redis';
import {
  closeSkygear,
  newSkygear,
  type Node,
  RawClient,
  REDIS_URL,
  type SkygearContainer,
  startNode,
  subscribeAndConfirm,
  uniqueRedisPrefix,
  waitFor,
} from './helpers';

describe('two nodes over Redis', () => {
  let nodeA: Node;
  let nodeB: Node;
  const containers: SkygearContainer[] = [];
  const raws: RawClient[] = [];

  beforeEach(async () => {
    const prefix = uniqueRedisPrefix();
    const busA = new RedisBus(REDIS_URL, silentLogger, { prefix });
    const busB = new RedisBus(REDIS_URL, silentLogger, { prefix });
    await Promise.all([busA.ready(), busB.ready()]);
    nodeA = await startNode(busA);
    nodeB = await startNode(busB);
  });
  afterEach(async () => {
    containers.splice(0).forEach(closeSkygear);
    await Promise.all(raws.splice(0).map((c) => c.close()));
    await Promise.all([nodeA.close(), nodeB.close()]);
  });

  const container = async (node: Node): Promise<SkygearContainer> => {
    const c = await newSkygear(node.endPoint);
    containers.push(c);
    return c;
  };
  const raw = async (node: Node, path: string): Promise<RawClient> => {
    const c = await RawClient.open(node.wsUrl(path));
    raws.push(c);
    return c;
  };

  it('a skygear client on node A publishes; subscribers on node B and on node A receive it once', async () => {
    const publisher = await container(nodeA);
    const remote = await container(nodeB);
    const local = await container(nodeA);
    const toRemote: unknown[] = [];
    const toLocal: unknown[] = [];
    remote.pubsub.on('room', (d: unknown) => toRemote.push(d));
    local.pubsub.on('room', (d: unknown) => toLocal.push(d));
    await waitFor(() => nodeB.gateway.subscriberCount('public', 'room') === 1, 'the subscription on B');
    await waitFor(() => nodeA.gateway.subscriberCount('public', 'room') === 1, 'the subscription on A');

    publisher.pubsub.publish('room', { text: 'across nodes', seq: 1 });
    publisher.pubsub.publish('room', { text: 'across nodes', seq: 2 });
    await waitFor(() => toRemote.length >= 2 && toLocal.length >= 2, 'delivery on both nodes');
    expect(toRemote).toEqual([
      { text: 'across nodes', seq: 1 },
      { text: 'across nodes', seq: 2 },
    ]);
    expect(toLocal).toEqual(toRemote);
  });

  it('keeps hubs apart across nodes and carries the internal hub too', async () => {
    const internalOnB = await raw(nodeB, '/_/pubsub');
    const publicOnB = await raw(nodeB, '/pubsub');
    await subscribeAndConfirm(internalOnB, '_sub_device1');
    await subscribeAndConfirm(publicOnB, '_sub_device1');

    const internalOnA = await raw(nodeA, '/_/pubsub');
    internalOnA.pub('_sub_device1', { 'seq-num': 7 });
    expect(await internalOnB.next('the internal message on B')).toBe('{"channel":"_sub_device1","data":{"seq-num":7}}');

    // A public publish from A after it; once B's public subscriber has it, the internal one
    // would have arrived before it had it leaked across hubs.
    const publicOnA = await raw(nodeA, '/pubsub');
    publicOnA.pub('_sub_device1', { hub: 'public' });
    expect(await publicOnB.next('the public message on B')).toBe('{"channel":"_sub_device1","data":{"hub":"public"}}');
    expect(publicOnB.pending()).toEqual([]);
    expect(internalOnB.pending()).toEqual([]);
  });

  it('a message published on the bus of node B (e.g. by a plugin there) reaches a socket on node A', async () => {
    const onA = await raw(nodeA, '/pubsub');
    await subscribeAndConfirm(onA, 'user-channel-1');
    await nodeB.bus.publish('public', 'user-channel-1', { event: 'create', data: { type: 'record' } });
    expect(await onA.nextJson()).toEqual({ channel: 'user-channel-1', data: { event: 'create', data: { type: 'record' } } });
  });
});
