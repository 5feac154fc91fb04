import type { Logger } from '../core/log';
import { MemoryBus } from './memory';
import type { PubsubBus } from './pubsub';
import { RedisBus, type RedisBusOptions } from './redis';

export type { Delivery, HubName, PubsubBus } from './pubsub';
export { MemoryBus } from './memory';
export { DEFAULT_REDIS_PREFIX, RedisBus, type RedisBusOptions } from './redis';
export {
  attachPubsubGateway,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_PAYLOAD_BYTES,
  type PubsubGateway,
  type PubsubGatewayOptions,
} from './gateway';

/** Redis when a URL is configured (several nodes share fan-out), else the in-process bus. */
export function createPubsubBus(redisUrl: string | undefined, log: Logger, options: RedisBusOptions = {}): PubsubBus {
  if (redisUrl) return new RedisBus(redisUrl, log, options);
  return new MemoryBus(log);
}
