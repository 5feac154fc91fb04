import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './child-server';

/**
 * Private Redis and PostgreSQL instances for the fault tests, on free ports in temp directories, so
 * a test may stop and restart them: the machine's shared services are never touched. Each works as
 * root (CI) and as an ordinary user.
 */
const run = promisify(execFile);

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `redis-server` as a child process without persistence; stop() and start() keep the port. */
export class PrivateRedis {
  private proc: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    this.proc = proc;
    await waitFor(async () => {
      if (proc.exitCode !== null) throw new Error(`redis-server on ${this.port} exited with ${proc.exitCode}`);
      return run('redis-cli', ['-p', String(this.port), 'ping']).then(
        ({ stdout }) => stdout.trim() === 'PONG',
        () => false,
      );
    }, `redis on port ${this.port}`);
  }

  /** SIGKILL: Redis goes away as in a crash, connections reset. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await gone;
    this.proc = null;
  }
}

/**
 * A PostgreSQL 15 cluster of its own (initdb, trust auth, fsync off), run by pg_ctl. PostgreSQL
 * refuses to run as root, so as root every command runs as the `postgres` OS user.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'private-pg-'));
    const pg = new PrivatePostgres(await freePort(), dir);
    if (process.getuid?.() === 0) await run('chown', ['postgres:postgres', dir]);
    await pg.as(path.join(PG_BIN, 'initdb'), ['-D', pg.dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    await pg.start();
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  private as(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
    if (process.getuid?.() === 0) return run('runuser', ['-u', 'postgres', '--', command, ...args], { cwd: this.dir });
    return run(command, args, { cwd: this.dir });
  }

  private ctl(args: string[]): Promise<unknown> {
    return this.as(path.join(PG_BIN, 'pg_ctl'), ['-D', this.dataDir, '-l', path.join(this.dir, 'log'), ...args]);
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off -c full_page_writes=off`;
    await this.ctl(['-w', '-t', '60', '-o', options, 'start']);
  }

  /** `fast`: every backend is terminated and in-flight transactions roll back (a restart, a failover). */
  async restart(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off -c full_page_writes=off`;
    await this.ctl(['-w', '-t', '60', '-m', 'fast', '-o', options, 'restart']);
  }

  async destroy(): Promise<void> {
    await this.ctl(['-w', '-m', 'immediate', 'stop']).catch(() => undefined);
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
