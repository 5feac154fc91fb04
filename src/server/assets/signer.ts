/**
 * Signed download URLs (Part A §8.3): the HMAC that signs `/files/<name>?expiredAt=…&signature=…`,
 * its check, and the interface the store hands out URLs through.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Signed download URLs are valid for 15 minutes by default (Part A §8.3; ASSET_STORE_URL_EXPIRE_DURATION changes it). */
export const URL_LIFETIME_SECONDS = 15 * 60;

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

/** Turns stored asset names into the `$url` clients download from (signed unless the store is public). */
export interface AssetUrls {
  url(name: string): string;
  /** Content types of stored assets, for filling `$content_type` on output. */
  contentTypes(names: string[]): Promise<Map<string, string>>;
}
