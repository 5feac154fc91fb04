import { ErrorCodes, SkygearError } from '../core/errors';

/**
 * Races a handler against RESPONSE_TIMEOUT (Part A §1.5: 503, code 122). The handler keeps running
 * to completion in the background (its transaction commits or rolls back on its own); only the
 * answer is given up. fastify's own `handlerTimeout` would be the library way, but it clears its
 * timer when the request stream closes, which on Node 20 is as soon as a body has been read: every
 * POST would run unbounded.
 */
export async function withResponseTimeout<T>(ms: number, work: Promise<T>): Promise<T> {
  if (!(ms > 0)) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SkygearError('Service taking too long to respond.', ErrorCodes.ResponseTimeout)), ms);
  });
  work.catch(() => undefined); // a late failure after the timeout must not become an unhandled rejection
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
