/**
 * Signed download URLs (Part A §8.3): the HMAC that signs `/files/<name>?expiredAt=…&signature=…`
 * and its check. (The interface the store hands out URLs through is core/asset-urls.ts.)
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** URL-safe base64 *with* padding of HMAC-SHA256(secret, name ‖ expiredAt), as Go computes it. */
export function assetSignature(secret: string, name: string, expiredAt: number): string {
  return createHmac('sha256', secret)
    .update(name + String(expiredAt))
    .digest('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}

export function signatureMatches(secret: string, name: string, expiredAt: number, signature: string): boolean {
  const expected = Buffer.from(assetSignature(secret, name, expiredAt));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
