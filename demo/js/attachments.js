/**
 * Attachment URLs that outlive their signature.
 *
 * The server signs download URLs for a limited time (15 minutes by default; `expiredAt` in the URL, in
 * unix seconds). A tab left open keeps the messages it fetched, so their URLs expire while the page
 * still shows them; a picture the browser has to fetch again (the conversation is opened again, or a
 * lazy picture scrolls into view) then answers 403. Two defences:
 * - a fresh fetch of a message replaces an expired URL (putMessages keeps a still-valid one, so a
 *   catch-up does not re-download every picture);
 * - a picture that fails to load, or a file link whose URL has expired, asks the server for the
 *   message again (chat:get_messages_by_ids signs a new URL) and then uses the new URL.
 * The page's clock is only used to choose between two URLs or before opening a file, never to refuse
 * a URL, so a wrong clock costs at most a refresh.
 */

/** A URL that runs out within this is treated as expired (a download started now must still get through). */
const MARGIN_MS = 20_000;

/** When the signed URL stops working (ms since epoch); Infinity for unsigned (public store) URLs. */
export function urlExpiry(url) {
  if (!url || url.startsWith('blob:')) return Infinity;
  try {
    const expiredAt = new URL(url).searchParams.get('expiredAt');
    return expiredAt && /^\d+$/.test(expiredAt) ? Number(expiredAt) * 1000 : Infinity;
  } catch {
    return Infinity;
  }
}

export function isUrlFresh(url, now = Date.now()) {
  return urlExpiry(url) - MARGIN_MS > now;
}

/**
 * Which URL to show for an attachment seen again: the one already shown while it is valid (no
 * re-download), else the new one.
 */
export function keepShownUrl(known, fresh) {
  if (!known?.url || !fresh || known.name !== fresh.name) return fresh;
  return isUrlFresh(known.url) ? { ...fresh, url: known.url } : fresh;
}
