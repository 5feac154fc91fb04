import { Cron } from 'croner';
import type { Logger } from '../core/log';
import type { TimerEntry } from './registry';

/**
 * Cloud-code timers (`every(spec, fn)`), scheduled by croner with the spec forms Skygear's
 * robfig/cron v1 accepts: 6-field cron (`sec min hour dom mon dow`; 5 fields leave out dow), the
 * `@hourly`-style descriptors, and `@every <Go duration>`.
 */

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration for positive values ("1h30m", "1.5s", "250ms"); undefined if invalid. */
export function parseGoDuration(text: string): number | undefined {
  const s = text.trim();
  if (!/^(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))*$/.test(s)) return undefined;
  let total = 0;
  for (const [, num, unit] of s.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(num) * UNIT_MS[unit];
  return total > 0 ? total : undefined;
}

/** How croner runs one spec: a cron pattern, or every second thinned out to an interval. */
export type TimerSchedule = { pattern: string; intervalSeconds?: number };

/**
 * The croner schedule for a Skygear spec, undefined for garbage. `@every` runs in whole seconds
 * as robfig/cron does (it rounds sub-second durations up to 1 s and cuts off the fraction).
 */
export function timerSchedule(spec: string): TimerSchedule | undefined {
  const s = spec.trim();
  const every = /^@every\s+(.+)$/.exec(s);
  if (every) {
    const ms = parseGoDuration(every[1]);
    return ms === undefined ? undefined : { pattern: '* * * * * *', intervalSeconds: Math.max(1, Math.floor(ms / 1000)) };
  }
  if (s.startsWith('@')) return isValidPattern(s) ? { pattern: s } : undefined;
  const fields = s.split(/\s+/);
  // robfig/cron v1 reads five fields as `sec min hour dom mon` (dow defaults to *), not as Vixie cron does.
  if (fields.length === 5) fields.push('*');
  if (fields.length !== 6) return undefined;
  const pattern = fields.join(' ');
  return isValidPattern(pattern) ? { pattern } : undefined;
}

/** Descriptors (`@hourly`) are croner's own; every other pattern has the seconds field first. */
const cronMode = (pattern: string) => (pattern.startsWith('@') ? 'auto' : '6-part');

function isValidPattern(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true, mode: cronMode(pattern) }).stop();
    return true;
  } catch {
    return false;
  }
}

/** Starts every valid timer; returns a function that stops them all. Runs never overlap per timer. */
export function startTimers(entries: readonly TimerEntry[], log: Logger): () => void {
  const jobs: Cron[] = [];

  const fire = async (entry: TimerEntry): Promise<void> => {
    try {
      const result = await entry.invoke();
      log.debug({ timer: entry.name, plugin: entry.plugin, result }, 'timer ran');
    } catch (err) {
      log.error({ err, timer: entry.name, plugin: entry.plugin }, 'timer failed');
    }
  };

  for (const entry of entries) {
    const schedule = timerSchedule(entry.spec);
    if (!schedule) {
      log.warn({ timer: entry.name, plugin: entry.plugin, spec: entry.spec }, 'timer spec not understood; not scheduled');
      continue;
    }
    const { pattern, intervalSeconds } = schedule;
    jobs.push(
      new Cron(
        pattern,
        {
          mode: cronMode(pattern),
          protect: true,
          unref: true,
          // An interval's first run is one interval after start, as robfig/cron's @every.
          ...(intervalSeconds ? { interval: intervalSeconds, startAt: new Date(Date.now() + intervalSeconds * 1000) } : {}),
        },
        () => fire(entry),
      ),
    );
  }

  return () => {
    for (const job of jobs) job.stop();
    jobs.length = 0;
  };
}
