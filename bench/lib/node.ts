import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

export interface BenchNode {
  url: string;
  child: ChildProcess;
  memory(): Promise<NodeJS.MemoryUsage>;
  close(): Promise<void>;
}

/** Starts bench/lib/child-server.ts as a child process with `env` added; resolves once it listens. */
export function startNode(env: Record<string, string>, timeoutMs = 60_000): Promise<BenchNode> {
  const child = fork(path.join(__dirname, 'child-server.ts'), [], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [])],
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('bench server did not start in time'));
    }, timeoutMs);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    child.once('message', (msg: { type: string; url: string }) => {
      clearTimeout(timer);
      if (msg.type !== 'ready') return reject(new Error(`unexpected message ${JSON.stringify(msg)}`));
      resolve({
        url: msg.url,
        child,
        memory: () =>
          new Promise((res) => {
            const on = (m: { type: string; mem: NodeJS.MemoryUsage }) => {
              if (m.type !== 'mem') return;
              child.off('message', on);
              res(m.mem);
            };
            child.on('message', on);
            child.send({ type: 'mem' });
          }),
        close: () =>
          new Promise((res) => {
            if (child.exitCode !== null) return res();
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.removeAllListeners('exit');
            child.once('exit', () => {
              clearTimeout(kill);
              res();
            });
            child.send({ type: 'close' });
          }),
      });
    });
  });
}
