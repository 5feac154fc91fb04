import type { AuthContext } from '../core/auth-context';
import type { Requirement } from '../core/actions';

/**
 * The `context` object every op, hook and handler call carries (skygear-protocol.md Part B §3.1).
 * Keys are left out when empty, as Go does.
 */
export interface PluginContext {
  user_id?: string;
  access_key_type?: 'client' | 'master';
  request_id?: string;
  request_tag?: string;
}

/** `plugin` for lambdas and handlers, `record` for save/delete hooks (the Go route tags). */
export type RequestTag = 'plugin' | 'record';

export function pluginContext(auth: AuthContext, requestId: string | undefined, tag: RequestTag): PluginContext {
  const context: PluginContext = {};
  if (auth.userId) context.user_id = auth.userId;
  if (auth.keyType) context.access_key_type = auth.keyType;
  if (requestId) context.request_id = requestId;
  context.request_tag = tag;
  return context;
}

export interface RequirementFlags {
  keyRequired?: boolean;
  userRequired?: boolean;
}

/** Registration flags → what the router checks before calling (§3.2): user wins over key. */
export function requirementOf(flags: RequirementFlags): Requirement {
  if (flags.userRequired) return 'user';
  if (flags.keyRequired) return 'keyOrToken';
  return 'none';
}

/**
 * The test for plugin lambdas only the master key may call (Config.masterKeyActions; `*` matches any
 * run of characters), compiled once.
 */
export function masterKeyActionMatcher(patterns: readonly string[]): (name: string) => boolean {
  const escape = (part: string) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const regexps = patterns.map((pattern) => new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`));
  return (name) => regexps.some((re) => re.test(name));
}
