/** How the skygear client rejects: `{status, error: {name, code, message, info?}}`. */
export interface ClientRejection {
  status: number;
  error: { name: string; code: number; message: string; info?: Record<string, unknown> };
}

/** Awaits a promise that must reject the way the skygear client does, and returns the rejection. */
export async function rejectionOf(promise: Promise<unknown>): Promise<ClientRejection> {
  try {
    await promise;
  } catch (err) {
    return err as ClientRejection;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
