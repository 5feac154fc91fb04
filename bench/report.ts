
import { promises as fs } from 'node:fs';

const fmt = (x: unknown, unit = ''): string => (typeof x === 'number' && Number.isFinite(x) ? `${x}${unit}` : 'n/a');
const verdict = (ok: boolean | undefined): string => (ok === undefined ? '—' : ok ? 'met' : '**missed**');

/** The summary table (docs/bench-summary.md), generated from bench/results/summary.json. */
export async function writeSummary(summary: any, file: string): Promise<string> {
  const r = summary.results;
  const send = r.send ?? {};
  const fan = r.fanout ?? {};
  const read = r.read ?? {};
  const idle = r['idle-websockets'] ?? {};
  const st = r.statements?.groups ?? [];
  const kb = (b: number) => Math.round((b / 1024) * 10) / 10;
  const stmts = st.map((g: any) => `${g.groupSize}: ${g.statementsPerSend}`).join(', ');
  const flat = st.length > 1 ? st.every((g: any) => g.statementsPerSend === st[0].statementsPerSend) : undefined;
  const rows = [
    ['Send, 2-member conversations', `${fmt(send.twoMember?.throughput)} msg/s, p50 ${fmt(send.twoMember?.latency?.p50, ' ms')}, p99 ${fmt(send.twoMember?.latency?.p99, ' ms')}`, `pgbench floor ${fmt(send.pgbench?.tps && Math.round(send.pgbench.tps))} tx/s (p50 ${fmt(send.pgbench?.latency?.p50, ' ms')}); ratio **${fmt(send.ratioOfPgbench && Math.round(send.ratioOfPgbench * 100), '%')}**. CPU ms per send: server ${fmt(send.twoMember?.cpuMsPerSend?.server)}, PostgreSQL ${fmt(send.twoMember?.cpuMsPerSend?.postgres)}, load generator ${fmt(send.twoMember?.cpuMsPerSend?.loadGenerator)}; per pgbench transaction: PostgreSQL ${fmt(send.pgbench?.cpuMsPerTransaction?.postgres)}, pgbench ${fmt(send.pgbench?.cpuMsPerTransaction?.loadGenerator)}. The server's own statements run by pgbench: ${fmt(send.serverSqlPgbench?.tps && Math.round(send.serverSqlPgbench.tps))} tx/s (${fmt(send.serverSqlPgbench?.ratioOfPgbench && Math.round(send.serverSqlPgbench.ratioOfPgbench * 100), '%')} of the floor; PostgreSQL CPU ${fmt(send.serverSqlPgbench?.cpuMsPerTransaction?.postgres)} ms per transaction)`, '≥ 60% of pgbench', verdict(send.ratioOfPgbench === undefined ? undefined : send.ratioOfPgbench >= 0.6)],
    ['Send, one 100-member conversation', `${fmt(send.hot?.throughput)} msg/s, p50 ${fmt(send.hot?.latency?.p50, ' ms')}, p99 ${fmt(send.hot?.latency?.p99, ' ms')}`, `serialised by the conversation row lock; CPU ms per send: server ${fmt(send.hot?.cpuMsPerSend?.server)}, PostgreSQL ${fmt(send.hot?.cpuMsPerSend?.postgres)}`, '—', '—'],
    ['Send, 1 vs 2 nodes (Redis)', `${fmt(send.nodes?.one)} → ${fmt(send.nodes?.two)} msg/s`, 'same 2-core machine runs both nodes, PostgreSQL and the load', '—', '—'],
    ['Fan-out to 100 subscribers', `p50 ${fmt(fan.toAllSubscribers?.p50, ' ms')}, p99 ${fmt(fan.toAllSubscribers?.p99, ' ms')} at ${fmt(fan.achievedRate)} msg/s`, `send → event at all ${fmt(fan.subscribers)} websockets; ${fmt(fan.incomplete)} incomplete; CPU ms per message: server ${fmt(fan.cpuMsPerMessage?.server)}, PostgreSQL ${fmt(fan.cpuMsPerMessage?.postgres)}, load generator ${fmt(fan.cpuMsPerMessage?.loadGenerator)}`, 'p99 < 50 ms at 200 msg/s', verdict(fan.toAllSubscribers ? fan.toAllSubscribers.p99 < 50 && fan.achievedRate >= 0.95 * fan.rate : undefined)],
    ['Fan-out, lower rates', (fan.sweep ?? []).filter((x: any) => x.rate !== fan.rate).map((x: any) => `${fmt(x.rate)} msg/s: p50 ${fmt(x.toAllSubscribers?.p50, ' ms')}, p99 ${fmt(x.toAllSubscribers?.p99, ' ms')}`).join('; ') || 'n/a', 'same subscribers, asked rates before the target one', '—', '—'],
    [`get_messages (50) at ${fmt(read.storedMessages)} messages`, `p50 ${fmt(read.getMessagesLatest?.p50, ' ms')}, p99 ${fmt(read.getMessagesLatest?.p99, ' ms')}`, `deep page (before_message_id) p99 ${fmt(read.getMessagesDeep?.p99, ' ms')}; machine floor p99: no-op HTTP ${fmt(read.floor?.noopHttp?.p99, ' ms')}, SELECT 1 ${fmt(read.floor?.selectOne?.p99, ' ms')}`, 'p99 < 10 ms at 1M', verdict(read.getMessagesLatest ? read.getMessagesLatest.p99 < 10 && read.storedMessages >= 1_000_000 : undefined)],
    ['mark_as_read of 50 messages', `p50 ${fmt(read.markAsRead50?.p50, ' ms')}, p99 ${fmt(read.markAsRead50?.p99, ' ms')}`, 'in the 100-member conversation', '—', '—'],
    [`Idle websocket (${fmt(idle.sockets)} open)`, `${fmt(idle.rssBytesPerSocket && kb(idle.rssBytesPerSocket), ' KB')} RSS, ${fmt(idle.heapUsedBytesPerSocket && kb(idle.heapUsedBytesPerSocket), ' KB')} heap each`, 'server child process, after GC', '< 30 KB', verdict(idle.rssBytesPerSocket === undefined ? undefined : idle.rssBytesPerSocket < 30 * 1024)],
    ['SQL statements per send by group size', stmts || 'n/a', `plus BEGIN/COMMIT, and access-setting cache reloads (every 2 s, not per send: ${st.map((g: any) => fmt(g.accessSettingReloadsPerSend)).join(', ')} per send); counted by STATEMENT_STATS`, 'flat', verdict(flat)],
  ];
  const table = [
    '| measurement | figure | context | target | |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
  const text = `<!-- generated by \`npm run bench\` (bench/report.ts); figures from bench/results/summary.json -->
## Performance (${summary.config.quick ? 'BENCH_QUICK run' : 'full run'}, ${summary.date.slice(0, 10)}, ${summary.machine.cpus} cores, ${summary.machine.node})

Loopback only; the server runs as a child process on PostgreSQL ${'15'} with Redis pubsub; the load generator
shares the same ${summary.machine.cpus} cores. Method and discussion: [docs/performance.md](docs/performance.md).

${table}
`;
  await fs.writeFile(file, text);
  return table;
}
