/**
 * Pubsub fan-out contract. The websocket gateway subscribes local sockets; anything published —
 * by a websocket client, by an in-process plugin, or by another node through Redis — reaches every
 * local socket subscribed to that channel on that hub.
 */
export type HubName = 'public' | 'internal';

/** One published message for this node's subscribers of `channels` (one channel, or a publishMany's list). */
export type Delivery = (hub: HubName, channels: readonly string[], data: unknown) => void;

export interface PubsubBus {
  /** Publish to every node (including this one). Resolves once handed to the transport. */
  publish(hub: HubName, channel: string, data: unknown): Promise<void>;
  /**
   * The same data to several channels as ONE bus message (one serialisation, one Redis PUBLISH):
   * a chat message to its 100 participants' channels costs the bus what one publish does.
   */
  publishMany(hub: HubName, channels: readonly string[], data: unknown): Promise<void>;
  /** Registers the local delivery callback (one per node: the websocket gateway). */
  onMessage(deliver: Delivery): void;
  /**
   * Optional: resolves once the bus can receive other nodes' messages (Redis: both hub channels
   * subscribed). The in-memory bus is ready at once. Callers that need cross-node delivery from the
   * first message (tests, startup) may await it.
   */
  ready?(): Promise<void>;
  close(): Promise<void>;
}
