import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { summarize, type Summary } from './stats';

export interface PgbenchResult {
  tps: number;
  latency: Summary;
  transactions: number;
  command: string;
}

/**
 * Runs /usr/bin/pgbench with `script` (a file in bench/pgbench/) against the bench schema for
 * `durationS` seconds with `clients` connections, logging every transaction (-l) for p50/p99.
 */
export async function runPgbench(opts: { databaseUrl: string; schema: string; clients: number; durationS: number; nconv: number; script: string }): Promise<PgbenchResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-pgbench-'));
  const script = path.join(__dirname, '..', 'pgbench', opts.script);
  const args = ['-n', '-M', 'prepared', '-c', String(opts.clients), '-j', '2', '-T', String(opts.durationS), '-D', `nconv=${opts.nconv}`, '-f', script, '-l', '--log-prefix', path.join(dir, 'log'), opts.databaseUrl];
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile('pgbench', args, { env: { ...process.env, PGOPTIONS: `-c search_path=${opts.schema},public` }, timeout: (opts.durationS + 60) * 1000 }, (err, out, errOut) =>
      err ? reject(new Error(`pgbench failed: ${err.message}\n${errOut}`)) : resolve(out),
    ),
  );
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1] ?? /tps = ([\d.]+)/.exec(stdout)?.[1]);
  const latencies: number[] = [];
  for (const file of await fs.readdir(dir)) {
    const text = await fs.readFile(path.join(dir, file), 'utf8');
    for (const line of text.split('\n')) {
      const cols = line.split(' ');
      if (cols.length >= 3) latencies.push(Number(cols[2]) / 1000); // µs → ms
    }
  }
  await fs.rm(dir, { recursive: true, force: true });
  // The command as recorded in results: paths of this machine replaced by what anyone can run.
  const shown = args.slice(0, -1).map((a) => (a === script ? `bench/pgbench/${opts.script}` : a === path.join(dir, 'log') ? '<tmpdir>/log' : a));
  return { tps, latency: summarize(latencies), transactions: latencies.length, command: `pgbench ${shown.join(' ')} <db>` };
}
