/**
 * A benchmark server node as its own process, so its memory is measured alone and the load
 * generator does not share its event loop. Configured from the environment (Skygear's names) with
 * the chat plugin loaded in process. IPC: sends {type:'ready', url}; answers {type:'mem'} with
 * process.memoryUsage() after a full GC (run with --expose-gc) and {type:'close'} by closing.
 */
import path from 'node:path';
import { loadConfig } from '../../src/server/core/config';
import { createLogger } from '../../src/server/core/log';
import { createServer } from '../../src/server/server';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (!process.env.LOAD_MODULES) config.loadModules = [path.resolve(__dirname, '../../src/plugin')];
  const server = await createServer(config, { log: createLogger(process.env.LOG_LEVEL || 'warn') });
  const url = await server.listen();
  process.on('message', async (msg: { type: string }) => {
    if (msg.type === 'mem') {
      for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
      await new Promise((resolve) => setTimeout(resolve, 200));
      (globalThis as { gc?: () => void }).gc?.();
      process.send?.({ type: 'mem', mem: process.memoryUsage() });
    } else if (msg.type === 'close') {
      await server.close().catch(() => undefined);
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready', url });
}

main().catch((err) => {
  process.stderr.write(`bench server failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
