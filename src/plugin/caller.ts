import type { CloudCallOptions } from './cloud-api';
import { notAuthenticated } from './errors';

/** The acting user of a lambda or hook call (master-key calls act as `_user_id` or `_god`). */
export function callerOf(options: CloudCallOptions | undefined): string {
  const userId = options?.context?.user_id;
  if (typeof userId !== 'string' || userId === '') throw notAuthenticated();
  return userId;
}

export const isMasterKey = (options: CloudCallOptions | undefined): boolean => options?.context?.access_key_type === 'master';
