import { randomUUID } from 'node:crypto';
import { invalidArgument } from '../core/errors';

/**
 * Asset names are what `_asset.id` and the `/files/<name>` URLs hold. A new name is
 * `<uuid>-<basename>`; the basename keeps letters, digits, '.', '_' and '-' and turns anything else
 * (separators, '+', '%', spaces, control characters) into '_', so a name never needs escaping,
 * never climbs directories and never starts with a dot.
 */
export function newAssetName(filename: string): string {
  const base = filename.split(/[/\\]/).pop() ?? '';
  const clean = base.replace(/[^\p{L}\p{N}._-]/gu, '_').replace(/^\.+/, '').slice(0, 200);
  return `${randomUUID()}-${clean || 'file'}`;
}

/**
 * A name taken from a request path, checked before it touches the filesystem: leading slashes are
 * dropped; empty names, `.`/`..` segments, backslashes and NUL are refused.
 */
export function assetNameFromPath(raw: string): string {
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    throw invalidArgument('asset name is not valid URL encoding', ['name']);
  }
  name = name.replace(/^\/+/, '');
  const segments = name.split('/');
  if (name === '' || name.includes('\0') || name.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw invalidArgument(`invalid asset name: ${JSON.stringify(name)}`, ['name']);
  }
  return name;
}

/** `a b/c` → `a%20b/c`: each path segment escaped, slashes kept. */
export function escapeAssetPath(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}
