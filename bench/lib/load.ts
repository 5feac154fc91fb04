import { sendMessage } from './api';
import { now, summarize, type Summary } from './stats';

export interface SendTarget {
  url: string;
  token: string;
  conversationId: string;
}

export interface ThroughputResult {
  sent: number;
  errors: number;
  durationS: number;
  throughput: number;
  latency: Summary;
}

/**
 * Closed loop: `concurrency` workers each send one message, await the response, repeat, for
 * `durationS` seconds. `pick(worker, i)` chooses the sender/conversation/node of each send.
 */
export async function closedLoop(concurrency: number, durationS: number, pick: (worker: number, i: number) => SendTarget): Promise<ThroughputResult> {
  const latencies: number[] = [];
  let errors = 0;
  const start = now();
  const end = start + durationS * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; now() < end; i++) {
        const t = pick(worker, i);
        const t0 = now();
        try {
          await sendMessage(t.url, t.token, t.conversationId, `bench ${worker}/${i}`);
          latencies.push(now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (now() - start) / 1000;
  return { sent: latencies.length, errors, durationS: Math.round(elapsed * 100) / 100, throughput: Math.round((latencies.length / elapsed) * 10) / 10, latency: summarize(latencies) };
}
