import { createLogger } from '../../../src/server/core/log';
import type { TimerEntry } from '../../../src/server/plugins/registry';
import { parseGoDuration, startTimers, timerSchedule } from '../../../src/server/plugins/timers';

describe('timer specs', () => {
  it('parses Go durations', () => {
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('2h45m10s')).toBe(9_910_000);
    expect(parseGoDuration('10')).toBeUndefined();
    expect(parseGoDuration('0s')).toBeUndefined();
    expect(parseGoDuration('-1s')).toBeUndefined();
    expect(parseGoDuration('1d')).toBeUndefined();
  });

  it('runs @every in whole seconds, at least one, as robfig/cron does', () => {
    expect(timerSchedule('@every 1h')).toEqual({ pattern: '* * * * * *', intervalSeconds: 3600 });
    expect(timerSchedule(' @every 5m ')).toEqual({ pattern: '* * * * * *', intervalSeconds: 300 });
    expect(timerSchedule('@every 20ms')).toEqual({ pattern: '* * * * * *', intervalSeconds: 1 });
    expect(timerSchedule('@every 2.5s')).toEqual({ pattern: '* * * * * *', intervalSeconds: 2 });
    expect(timerSchedule('@every')).toBeUndefined();
    expect(timerSchedule('@every soon')).toBeUndefined();
  });

  it('schedules the descriptors and 6-field (sec min hour dom mon dow) cron specs', () => {
    for (const spec of ['@hourly', '@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually']) {
      expect(timerSchedule(spec)).toEqual({ pattern: spec });
    }
    expect(timerSchedule('0 30 * * * *')).toEqual({ pattern: '0 30 * * * *' });
    expect(timerSchedule('*/10 * * * * MON-FRI')).toEqual({ pattern: '*/10 * * * * MON-FRI' });
    // robfig/cron v1 reads five fields as sec min hour dom mon.
    expect(timerSchedule('0 0 12 * *')).toEqual({ pattern: '0 0 12 * * *' });
    for (const bad of ['', '@often', '* * * *', '61 * * * * *', '0 0 0 0 0 0 0', 'every minute']) expect(timerSchedule(bad)).toBeUndefined();
  });
});

describe('startTimers', () => {
  const entry = (spec: string, invoke: () => Promise<unknown>): TimerEntry => ({ plugin: 'test', name: `t:${spec}`, spec, invoke }) as TimerEntry;

  it('fires a cron field spec (every second) and stops on request', async () => {
    let runs = 0;
    let fired!: () => void;
    const firstRun = new Promise<void>((resolve) => (fired = resolve));
    const stop = startTimers(
      [
        entry('* * * * * *', async () => {
          runs += 1;
          fired();
        }),
      ],
      createLogger('silent'),
    );
    try {
      await firstRun;
    } finally {
      stop();
    }
    const after = runs;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(runs).toBe(after);
  }, 10_000);
});
