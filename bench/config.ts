/** The benchmark's sizes, from the environment (BENCH_QUICK=1 for a ~2 minute run). */
const quick = process.env.BENCH_QUICK === '1';
const num = (name: string, full: number, fast: number): number => Number(process.env[name] ?? (quick ? fast : full));

export const CONFIG = {
  quick,
  databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  /** Seconds of each closed-loop send phase and of pgbench. */
  durationS: num('BENCH_DURATION_S', 15, 4),
  /** Concurrent senders (HTTP) and pgbench clients. */
  concurrency: num('BENCH_CONCURRENCY', 16, 16),
  /** 2-member conversations the 2-member phase spreads over. */
  conversations: num('BENCH_CONVERSATIONS', 200, 50),
  hotMembers: num('BENCH_HOT_MEMBERS', 100, 100),
  fanOutRate: num('BENCH_FANOUT_RATE', 200, 200),
  fanOutS: num('BENCH_FANOUT_S', 5, 3),
  /** Lower rates measured before fanOutRate (comma-separated), to show where the latency bends. */
  fanOutSweep: (process.env.BENCH_FANOUT_SWEEP ?? (quick ? '50' : '25,50,100')).split(',').filter(Boolean).map(Number),
  storedMessages: num('BENCH_MESSAGES', 1_000_000, 100_000),
  readSamples: num('BENCH_READ_SAMPLES', 300, 100),
  idleSockets: num('BENCH_IDLE_SOCKETS', 10_000, 2_000),
  groupSizes: (process.env.BENCH_GROUP_SIZES ?? '2,10,100,1000').split(',').map(Number),
  sendsPerGroup: num('BENCH_SENDS_PER_GROUP', 10, 5),
  /** Comma-separated subset of sections to run (for investigating one figure); default all. */
  sections: process.env.BENCH_SECTIONS?.split(',').map((s) => s.trim()),
};
export type BenchConfig = typeof CONFIG;
