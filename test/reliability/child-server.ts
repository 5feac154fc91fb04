import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/**
 * The real entry point (`src/server/main.ts`, default modules = the chat plugin) as a child process,
 * so a test can SIGKILL it mid-request and start it again on the same database and schema.
 */
const REPO = path.resolve(__dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export class ChildServer {
  proc: ChildProcess | null = null;
  output = '';
  readonly url: string;

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts the process and waits (bounded) until `_status/healthz` answers 200. */
  async start(timeoutMs = 60_000): Promise<void> {
    const proc = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/server/main.ts'], {
      cwd: REPO,
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`server exited during start-up:\n${this.output}`);
      try {
        const res = await fetch(`${this.url}/_status/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`server did not become healthy in ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  get alive(): boolean {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Sends `signal` and waits (bounded) for the process to be gone. */
  async stop(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 15_000): Promise<void> {
    const proc = this.proc;
    if (!proc || !this.alive) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    const timer = new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`server did not exit after ${signal}`)), timeoutMs).unref());
    await Promise.race([exited, timer]);
  }
}
