import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU time by process, read from Linux's /proc, so a figure can be split into what the server,
 * PostgreSQL and the load generator each spent on it. On a machine where all three share the same
 * cores, throughput alone cannot tell them apart; CPU milliseconds per operation can.
 *
 * - a process: utime + stime of /proc/<pid>/stat (all its threads: V8's GC helpers included);
 * - PostgreSQL: every live `postgres` process plus the postmaster's cutime + cstime (the CPU of
 *   backends that exited, e.g. pgbench's connections when it ends);
 * - children of this process (pgbench): our own cutime + cstime, counted once they are reaped.
 *
 * Without /proc (not Linux) every reading is `undefined` and the bench reports no CPU figures.
 */
const TICK_MS = 1000 / clockTicksPerSecond();

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

interface Stat {
  comm: string;
  ppid: number;
  /** utime + stime, ms */
  own: number;
  /** cutime + cstime (reaped children), ms */
  children: number;
}

function readStat(pid: number | 'self'): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may contain spaces; the fields after it are numbers.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state): utime/stime/cutime/cstime are fields 14-17, ppid field 4.
  return { comm, ppid: Number(f[1]), own: (Number(f[11]) + Number(f[12])) * TICK_MS, children: (Number(f[13]) + Number(f[14])) * TICK_MS };
}

function processCpuMs(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : readStat(pid)?.own;
}

/** CPU of this process's reaped children (e.g. pgbench after it exits). */
function childrenCpuMs(): number | undefined {
  return readStat('self')?.children;
}

/** CPU of the local PostgreSQL server: live processes plus exited backends (via the postmaster). */
function postgresCpuMs(): number | undefined {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return undefined;
  }
  let total = 0;
  let found = false;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (!stat || stat.comm !== 'postgres') continue;
    found = true;
    total += stat.own;
    const parent = readStat(stat.ppid);
    if (parent?.comm !== 'postgres') total += stat.children; // the postmaster
  }
  return found ? total : undefined;
}

export interface CpuShares {
  server?: number;
  postgres?: number;
  loadGenerator?: number;
}

/**
 * Starts a window; the returned function gives each process's CPU ms per operation over it (n
 * operations), rounded to 0.01 ms. `serverPids`: the server child(ren), summed (none: no server
 * figure). `loadGenerator`: this process (`self`, default) or its reaped children (`children`:
 * pgbench, which must have exited before the window is read).
 */
export function cpuWindow(serverPids: Array<number | undefined>, loadGenerator: 'self' | 'children' = 'self') {
  const serverNow = () => (serverPids.length === 0 ? undefined : sum(serverPids.map(processCpuMs)));
  const loadNow = () => (loadGenerator === 'children' ? childrenCpuMs() : selfCpuMs());
  const start = { server: serverNow(), postgres: postgresCpuMs(), load: loadNow() };
  return (ops: number): CpuShares => {
    const per = (ms: number | undefined) => (ms === undefined || ops <= 0 ? undefined : Math.round((ms / ops) * 100) / 100);
    return {
      server: per(diff(serverNow(), start.server)),
      postgres: per(diff(postgresCpuMs(), start.postgres)),
      loadGenerator: per(diff(loadNow(), start.load)),
    };
  };
}

function selfCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const sum = (xs: Array<number | undefined>): number | undefined => (xs.some((x) => x === undefined) ? undefined : xs.reduce((a: number, b) => a + (b ?? 0), 0));
const diff = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : a - b);
