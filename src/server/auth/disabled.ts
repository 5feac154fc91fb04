import { ErrorCodes, SkygearError } from '../core/errors';

export interface DisabledState {
  disabled: boolean;
  disabledMessage: string | null;
  disabledExpiry: Date | null;
}

/** A disabled user (no expiry, or expiry still ahead) gets 127 on login and authenticated requests. */
export function assertNotDisabled(state: DisabledState, now = new Date()): void {
  if (!state.disabled) return;
  if (state.disabledExpiry && state.disabledExpiry.getTime() <= now.getTime()) return;
  const info: Record<string, unknown> = {};
  if (state.disabledMessage) info.message = state.disabledMessage;
  if (state.disabledExpiry) info.expiry = state.disabledExpiry.toISOString();
  throw new SkygearError('user is disabled', ErrorCodes.UserDisabled, info);
}
