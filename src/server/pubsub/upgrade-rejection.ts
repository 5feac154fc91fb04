import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SkygearError } from '../core/errors';

/**
 * Answers an upgrade request with a plain HTTP error in Skygear's envelope, before any websocket
 * handshake, then closes the socket (the same way `ws` aborts a handshake).
 */
export function rejectUpgrade(socket: Duplex, error: SkygearError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.httpStatus;
  const body = JSON.stringify({ error: error.toJSON() });
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Skygear-Request-Id: ${randomUUID()}`,
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
