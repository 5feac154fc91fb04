'use strict';
/**
 * Preloaded into the soak's server process (node --expose-gc --require …): answers the parent's
 * 'heap?' over the IPC channel with the heap after a full GC, so minute-to-minute figures compare
 * live data, not garbage not yet collected. Nothing else changes in the server.
 */
if (typeof process.send === 'function') {
  process.on('message', (message) => {
    if (message !== 'heap?') return;
    if (typeof global.gc === 'function') global.gc();
    const { heapUsed, heapTotal, external, rss } = process.memoryUsage();
    process.send({ heapUsed, heapTotal, external, rss });
  });
}
