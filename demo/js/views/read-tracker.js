/**
 * Decides when a message someone else wrote has been read: while the page is visible, when at least
 * 60 % of it is on screen, or — for a message taller than the message pane, which can never be 60 %
 * visible — when it fills at least 60 % of the pane (the reader is scrolling through it).
 *
 * An IntersectionObserver says which messages touch the pane; the rule itself is checked on its
 * callbacks, on scroll and after each render, because the observer alone only reports threshold
 * crossings and a tall message's visible share moves between them.
 */
const SHARE = 0.6;

/** @param {HTMLElement} pane the scrolling element  @param {(id: string) => void} onRead */
export function readTracker(pane, onRead) {
  const touching = new Set(); // observed elements that intersect the pane

  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) touching.add(entry.target);
      else touching.delete(entry.target);
    }
    check();
  }, { root: pane, threshold: [0, SHARE, 1] });

  let frame = 0;
  pane.addEventListener('scroll', () => {
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; check(); });
  }, { passive: true });
  document.addEventListener('visibilitychange', () => check());

  function check() {
    if (document.visibilityState !== 'visible' || touching.size === 0) return;
    const view = pane.getBoundingClientRect();
    for (const el of [...touching]) {
      if (!el.isConnected) {
        forget(el);
        continue;
      }
      const box = el.getBoundingClientRect();
      const seen = Math.min(box.bottom, view.bottom) - Math.max(box.top, view.top);
      if (seen > 0 && (seen >= SHARE * box.height || seen >= SHARE * view.height)) {
        forget(el);
        onRead(el.dataset.messageId);
      }
    }
  }

  function forget(el) {
    observer.unobserve(el);
    touching.delete(el);
  }

  return {
    /** Starts watching a message element (it needs `data-message-id`). */
    watch: (el) => observer.observe(el),
    forget,
    /** Forgets everything (another conversation is shown). */
    reset() {
      for (const el of touching) observer.unobserve(el);
      touching.clear();
      observer.disconnect();
    },
    check,
  };
}
