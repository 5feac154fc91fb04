import { invalidArgument } from './errors';

/**
 * Size bounds (chat-api.md §2 "Bounds"): beyond them a call answers 108 with `info.limit` and
 * `info.arguments` and writes nothing. Settings of the plugin: `includeme(cloud, { bounds })`, else
 * the environment (`SKYGEAR_CHAT_*`, the prefix of the original plugin's settings), else these
 * defaults.
 */
export interface ChatBounds {
  /** A message body, in UTF-8 bytes. */
  maxBodyBytes: number;
  /** A message's or conversation's metadata, in bytes of its JSON text. */
  maxMetadataBytes: number;
  /** A conversation title, in characters. */
  maxTitleLength: number;
  /** Users named in one call (participants, admins) and message ids marked in one call. */
  maxIdsPerCall: number;
}

export const DEFAULT_BOUNDS: ChatBounds = {
  maxBodyBytes: 64 * 1024,
  maxMetadataBytes: 16 * 1024,
  maxTitleLength: 500,
  maxIdsPerCall: 1000,
};

const ENV_NAMES: Record<keyof ChatBounds, string> = {
  maxBodyBytes: 'SKYGEAR_CHAT_MAX_BODY_BYTES',
  maxMetadataBytes: 'SKYGEAR_CHAT_MAX_METADATA_BYTES',
  maxTitleLength: 'SKYGEAR_CHAT_MAX_TITLE_LENGTH',
  maxIdsPerCall: 'SKYGEAR_CHAT_MAX_IDS_PER_CALL',
};

export function resolveBounds(given: Partial<ChatBounds> | undefined, env: NodeJS.ProcessEnv = process.env): ChatBounds {
  const out = { ...DEFAULT_BOUNDS };
  for (const key of Object.keys(DEFAULT_BOUNDS) as Array<keyof ChatBounds>) {
    const raw = given?.[key] ?? env[ENV_NAMES[key]];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`chat plugin: bound ${key} must be a positive integer, got ${String(raw)}`);
    out[key] = value;
  }
  return out;
}

const tooLarge = (argument: string, limit: number, unit: string) =>
  invalidArgument(`${argument} is too large (at most ${limit} ${unit})`, [argument], { limit });

export function checkBody(body: unknown, bounds: ChatBounds, argument = 'body'): void {
  if (typeof body === 'string' && Buffer.byteLength(body, 'utf8') > bounds.maxBodyBytes) throw tooLarge(argument, bounds.maxBodyBytes, 'bytes');
}

export function checkMetadata(metadata: unknown, bounds: ChatBounds, argument = 'metadata'): void {
  if (metadata === null || metadata === undefined) return;
  if (Buffer.byteLength(JSON.stringify(metadata), 'utf8') > bounds.maxMetadataBytes) throw tooLarge(argument, bounds.maxMetadataBytes, 'bytes of JSON');
}

export function checkTitle(title: unknown, bounds: ChatBounds, argument = 'title'): void {
  if (typeof title === 'string' && [...title].length > bounds.maxTitleLength) throw tooLarge(argument, bounds.maxTitleLength, 'characters');
}

export function checkIdCount(count: number, bounds: ChatBounds, argument: string): void {
  if (count > bounds.maxIdsPerCall) throw tooLarge(argument, bounds.maxIdsPerCall, 'ids per call');
}
