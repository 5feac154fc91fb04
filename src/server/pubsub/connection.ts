import WebSocket from 'ws';
import type { Logger } from '../log';
import { parseClientFrame } from './frames';
import type { HubName, PubsubBus } from './pubsub';
import type { SubscriptionRegistry } from './registry';

/**
 * One accepted websocket on one hub: applies client frames (Part B §1.3) and forgets the socket's
 * subscriptions when it goes away. Holds no timers and no per-connection buffers of its own.
 */
export function serveConnection(
  socket: WebSocket,
  hub: HubName,
  deps: { registry: SubscriptionRegistry<WebSocket>; bus: PubsubBus; log: Logger },
): void {
  const { registry, bus, log } = deps;

  socket.on('message', (raw: WebSocket.RawData) => {
    // Frames that were already in flight after we decided to close are ignored, as in Go.
    if (socket.readyState !== WebSocket.OPEN) return;
    const frame = parseClientFrame(rawText(raw));
    switch (frame.kind) {
      case 'sub':
        registry.subscribe(hub, frame.channel, socket);
        return;
      case 'unsub':
        registry.unsubscribe(hub, frame.channel, socket);
        return;
      case 'pub':
        bus.publish(hub, frame.channel, frame.data).catch((err: unknown) => {
          log.warn({ err, hub, channel: frame.channel }, 'pubsub: publish failed');
        });
        return;
      case 'reply':
        socket.send(frame.text);
        return;
      case 'fatal':
        socket.send(frame.text);
        socket.close();
        return;
    }
  });

  socket.on('close', () => registry.unsubscribeAll(socket));
  // Without a listener an 'error' event would throw; ws closes the socket itself afterwards.
  socket.on('error', (err) => log.debug({ err, hub }, 'pubsub: websocket error'));
}

function rawText(raw: WebSocket.RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  return Buffer.from(raw).toString('utf8');
}
