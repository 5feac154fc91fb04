/**
 * The pubsub websocket's frames (skygear-protocol.md Part B §1.3/§1.4), as pure functions.
 *
 * Client → server: `{"action":"sub"|"unsub","channel":…}` and `{"action":"pub","channel":…,"data":…}`.
 * Checks run in Go's order: undecodable JSON, then an empty channel, then the action. The error texts
 * are Go's, byte for byte, including the "Unknow action" typo that the JS client ignores.
 */
export type ClientFrame =
  | { kind: 'sub'; channel: string }
  | { kind: 'unsub'; channel: string }
  | { kind: 'pub'; channel: string; data: unknown }
  /** Reply with this text and keep the connection open. */
  | { kind: 'reply'; text: string }
  /** Send this text, then close the connection. */
  | { kind: 'fatal'; text: string };

export const UNKNOWN_ACTION_TEXT = 'Unknow action';
export const EMPTY_CHANNEL_TEXT = 'Error: channel should not be empty. Closing Connection';
export const MISSING_DATA_TEXT = 'Error: missing data to publish. Closing Connection';
/** Go: `fmt.Sprintf("Error: %v \nClosing Connection", err)` for a JSON decode error. */
export const decodeErrorText = (reason: string): string => `Error: ${reason} \nClosing Connection`;

export function parseClientFrame(text: string): ClientFrame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { kind: 'fatal', text: decodeErrorText((err as Error).message) };
  }
  // Go decodes into a struct: `null` leaves every field empty; other non-objects fail to decode.
  if (parsed === null) parsed = {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { kind: 'fatal', text: decodeErrorText('a pubsub frame must be a JSON object') };
  }
  const frame = parsed as { action?: unknown; channel?: unknown; data?: unknown };
  for (const field of ['action', 'channel'] as const) {
    const value = frame[field];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      return { kind: 'fatal', text: decodeErrorText(`"${field}" must be a string`) };
    }
  }
  const channel = typeof frame.channel === 'string' ? frame.channel : '';
  if (channel === '') return { kind: 'fatal', text: EMPTY_CHANNEL_TEXT };

  switch (frame.action) {
    case 'sub':
      return { kind: 'sub', channel };
    case 'unsub':
      return { kind: 'unsub', channel };
    case 'pub':
      if (frame.data === undefined || frame.data === null) return { kind: 'fatal', text: MISSING_DATA_TEXT };
      return { kind: 'pub', channel, data: frame.data };
    default:
      return { kind: 'reply', text: UNKNOWN_ACTION_TEXT };
  }
}

/** The `data` of a delivery frame as JSON. Throws if it is not serialisable (undefined, a BigInt, a cycle). */
export function dataJSON(data: unknown): string {
  const json = JSON.stringify(data);
  if (json === undefined) throw new TypeError('pubsub data is not JSON');
  return json;
}

/**
 * Server → client: `{"channel":…,"data":…}`, compact, no `action` key — byte for byte what
 * JSON.stringify({ channel, data }) gives, from data serialised once by `dataJSON`.
 */
export function deliveryFrame(channel: string, dataJson: string): string {
  return `{"channel":${JSON.stringify(channel)},"data":${dataJson}}`;
}
