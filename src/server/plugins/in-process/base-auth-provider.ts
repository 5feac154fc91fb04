/**
 * skygear-core's `BaseAuthProvider` (cloud/index.js), which cannot be required in process (see
 * core.ts). Subclasses implement `login`, `logout` and `info`; `handleAction(action, param)` calls
 * `this[action](param)` with the whole param, as skygear-node does.
 */
export class BaseAuthProvider {
  async handleAction(action: string, param: { action?: string }): Promise<unknown> {
    const method = (this as unknown as Record<string, unknown>)[action];
    if (typeof method !== 'function') throw new Error(`Provider not support action: ${param.action}`);
    return method.call(this, param);
  }

  async login(_authData: unknown): Promise<unknown> {
    throw new Error('Subclass of BaseAuthProvider should implement login method.');
  }

  async logout(_authData: unknown): Promise<unknown> {
    throw new Error('Subclass of BaseAuthProvider should implement logout method.');
  }

  async info(_authData: unknown): Promise<unknown> {
    throw new Error('Subclass of BaseAuthProvider should implement info method.');
  }
}
