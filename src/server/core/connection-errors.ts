/**
 * Errors meaning the database connection itself failed (not the statement): the request may simply
 * be retried, so they become 10002 UnexpectedUnableToOpenDatabase (HTTP 503) rather than 10000.
 * 57P01 admin shutdown (pg_terminate_backend), 57P02 crash shutdown, 57P03 cannot connect now,
 * 08xxx connection exceptions; node-postgres reports a dropped socket without a SQLSTATE.
 */
export function isConnectionLost(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P') || code === 'ECONNREFUSED' || code === 'ECONNRESET')) {
    return true;
  }
  return err instanceof Error && /Connection terminated|connection ended|Client has encountered a connection error/i.test(err.message);
}
