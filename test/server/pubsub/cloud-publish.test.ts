/** skygear/cloud `publishEventsToChannels`, as cloud code calls it, reaches websocket subscribers. */
import { silentLogger } from '../../../src/server/core/log';
import { MemoryBus } from '../../../src/server/pubsub/memory';
import { MASTER_KEY, type Node, RawClient, startNode, subscribeAndConfirm, waitFor } from './helpers';

type PublishEventsToChannels = (channels: string[], events: object[]) => Promise<unknown>;

/** skygear/cloud reads SKYGEAR_ENDPOINT and MASTER_KEY when its settings module is first loaded. */
function loadCloud(endpoint: string, masterKey: string): PublishEventsToChannels {
  const saved = { SKYGEAR_ENDPOINT: process.env.SKYGEAR_ENDPOINT, MASTER_KEY: process.env.MASTER_KEY };
  process.env.SKYGEAR_ENDPOINT = endpoint;
  process.env.MASTER_KEY = masterKey;
  try {
    let publish: PublishEventsToChannels | undefined;
    jest.isolateModules(() => {

      publish = require('skygear/cloud').publishEventsToChannels;
    });
    return publish!;
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/**
 * publishEventsToChannels races the open and the close against 10 s and 3 s timers that it never
 * clears. Harmless in a plugin process; in jest they would hold the run open, so the timers created
 * during the call are unref'd.
 */
async function withUnrefTimers<T>(run: () => Promise<T>): Promise<T> {
  const realSetTimeout = global.setTimeout;
  global.setTimeout = ((...args: Parameters<typeof setTimeout>) => realSetTimeout(...args).unref()) as typeof setTimeout;
  try {
    return await run();
  } finally {
    global.setTimeout = realSetTimeout;
  }
}

describe('publishEventsToChannels from skygear/cloud', () => {
  let node: Node;
  let subscriber: RawClient;

  beforeEach(async () => {
    node = await startNode(new MemoryBus(silentLogger));
    subscriber = await RawClient.open(node.wsUrl('/pubsub'));
  });
  afterEach(async () => {
    await subscriber.close();
    await node.close();
  });

  it('connects with the master key, sends one pub per (channel, event), closes, and subscribers get them', async () => {
    await subscribeAndConfirm(subscriber, 'user-ch-1');
    await subscribeAndConfirm(subscriber, 'user-ch-2');
    const publishEventsToChannels = loadCloud(`http://127.0.0.1:${node.port}`, MASTER_KEY);

    const created = { event: 'create', data: { event_type: 'create', type: 'record', record_type: 'message', record: { _id: 'message/1' } } };
    const typing = { event: 'typing', data: { 'conversation/c1': { 'user/u1': { event: 'begin', at: '2024-01-01T00:00:00Z' } } } };
    await withUnrefTimers(() => publishEventsToChannels(['user-ch-1', 'user-ch-2', 'nobody-listens'], [created, typing]));

    const frames = [await subscriber.nextJson(), await subscriber.nextJson(), await subscriber.nextJson(), await subscriber.nextJson()];
    expect(frames).toEqual([
      { channel: 'user-ch-1', data: created },
      { channel: 'user-ch-1', data: typing },
      { channel: 'user-ch-2', data: created },
      { channel: 'user-ch-2', data: typing },
    ]);
    // The cloud container's socket is gone again; only the subscriber remains.
    await waitFor(() => node.gateway.connectionCount() === 1, 'the publisher to disconnect');
  });

});
