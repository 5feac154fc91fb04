import type { Logger } from '../log';
import type { TimerEntry } from './registry';

/**
 * Cloud-code timers (`every(spec, fn)`). We run the interval forms robfig/cron accepts — `@every <Go
 * duration>` and the `@hourly`-style shortcuts — as fixed intervals from startup. Cron field specs
 * (`0 30 * * * *`) are not scheduled; they are logged as unsupported so nothing fails silently.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const SHORTCUTS: Record<string, number> = {
  '@hourly': HOUR,
  '@daily': DAY,
  '@midnight': DAY,
  '@weekly': 7 * DAY,
  '@monthly': 30 * DAY,
  '@yearly': 365 * DAY,
  '@annually': 365 * DAY,
};

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: HOUR };

/** Go's time.ParseDuration for positive values ("1h30m", "1.5s", "250ms"); undefined if invalid. */
export function parseGoDuration(text: string): number | undefined {
  const s = text.trim();
  if (!/^(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))*$/.test(s)) return undefined;
  let total = 0;
  for (const [, num, unit] of s.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(num) * UNIT_MS[unit];
  return total > 0 ? total : undefined;
}

/** Interval in ms for a supported spec, undefined for cron field specs and garbage. */
export function timerInterval(spec: string): number | undefined {
  const s = spec.trim();
  if (s in SHORTCUTS) return SHORTCUTS[s];
  const every = /^@every\s+(.+)$/.exec(s);
  return every ? parseGoDuration(every[1]) : undefined;
}

/** Node timers overflow past 2^31-1 ms, so long intervals are waited out in chunks. */
const MAX_TIMEOUT = 2 ** 31 - 1;

/** Starts every supported timer; returns a function that stops them all. Runs never overlap per timer. */
export function startTimers(entries: readonly TimerEntry[], log: Logger): () => void {
  const handles = new Set<NodeJS.Timeout>();
  let stopped = false;

  const schedule = (entry: TimerEntry, interval: number, remaining: number): void => {
    if (stopped) return;
    const wait = Math.min(remaining, MAX_TIMEOUT);
    const handle = setTimeout(() => {
      handles.delete(handle);
      if (remaining > wait) return schedule(entry, interval, remaining - wait);
      void fire(entry).finally(() => schedule(entry, interval, interval));
    }, wait);
    handle.unref();
    handles.add(handle);
  };

  const fire = async (entry: TimerEntry): Promise<void> => {
    try {
      const result = await entry.invoke();
      log.debug({ timer: entry.name, plugin: entry.plugin, result }, 'timer ran');
    } catch (err) {
      log.error({ err, timer: entry.name, plugin: entry.plugin }, 'timer failed');
    }
  };

  for (const entry of entries) {
    const interval = timerInterval(entry.spec);
    if (interval === undefined) {
      log.warn({ timer: entry.name, plugin: entry.plugin, spec: entry.spec }, 'timer spec not supported (only @every <duration> and @hourly-style shortcuts); not scheduled');
      continue;
    }
    schedule(entry, interval, interval);
  }

  return () => {
    stopped = true;
    for (const handle of handles) clearTimeout(handle);
    handles.clear();
  };
}
