import { parseGoDuration, timerInterval } from '../../../src/server/plugins/timers';

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

  it('accepts @every and the @hourly-style shortcuts, not cron field specs', () => {
    expect(timerInterval('@every 1h')).toBe(3_600_000);
    expect(timerInterval(' @every 5m ')).toBe(300_000);
    expect(timerInterval('@hourly')).toBe(3_600_000);
    expect(timerInterval('@daily')).toBe(86_400_000);
    expect(timerInterval('@midnight')).toBe(86_400_000);
    expect(timerInterval('@weekly')).toBe(604_800_000);
    expect(timerInterval('@monthly')).toBe(30 * 86_400_000);
    expect(timerInterval('@yearly')).toBe(365 * 86_400_000);
    expect(timerInterval('0 30 * * * *')).toBeUndefined();
    expect(timerInterval('@every')).toBeUndefined();
  });
});
