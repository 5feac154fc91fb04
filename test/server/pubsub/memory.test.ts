import { silentLogger } from '../../../src/server/core/log';
import { createPubsubBus } from '../../../src/server/pubsub';
import { MemoryBus } from '../../../src/server/pubsub/memory';
import { runBusConformance } from './bus-conformance';

runBusConformance('MemoryBus', () => new MemoryBus(silentLogger));

describe('createPubsubBus without a Redis URL', () => {
  it('returns the in-process bus', async () => {
    const bus = createPubsubBus(undefined, silentLogger);
    expect(bus).toBeInstanceOf(MemoryBus);
    await bus.close();
  });
});
