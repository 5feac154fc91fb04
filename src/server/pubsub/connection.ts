import WebSocket from 'ws';
import type { Logger } from '../core/log';
import { parseClientFrame } from './frames';
import type { HubName, PubsubBus } from './pubsub';
import type { SubscriptionRegistry } from './registry';

/**
 * One accepted websocket on one hub: applies client frames (Part B §1.3) and forgets the socket's
 * subscriptions when it goes away. Holds no timers and no per-connection buffers of its own.
 *
 * Replies are the one thing a client makes us send by sending: one that keeps sending such frames
 * while never reading would grow its send buffer without bound, so once that buffer is over
 * `maxBufferedBytes` (the bound fan-out sheds at) the connection is dropped instead.
 */
export function serveConnection(
  socket: WebSocket,
  hub: HubName,
  deps: { registry: SubscriptionRegistry<WebSocket>; bus: PubsubBus; log: Logger; maxBufferedBytes: number },
): void {
  const { registry, bus, log, maxBufferedBytes } = deps;
  const reply = (text: string): boolean => {
    if (socket.bufferedAmount > maxBufferedBytes) {
      log.debug({ hub, buffered: socket.bufferedAmount }, 'pubsub: client does not read its replies; disconnected');
      socket.terminate();
      return false;
    }
    socket.send(text);
    return true;
  };

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
        reply(frame.text);
        return;
      case 'fatal':
        if (reply(frame.text)) socket.close();
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
