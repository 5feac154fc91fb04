/**
 * The post-run verdict: the chat invariants I1–I5 (test/plugin/invariants.ts, the CHAT engineer's
 * SQL checker) plus the ledger (every acknowledged message stored exactly once, nothing stored that
 * nobody sent, distinct races with one winner). Returns every problem found; empty = pass.
 */
import type { Queryable } from '../../src/server/db/driver';
import { checkInvariants } from '../../test/plugin/invariants';
import { type Ledger, verifyLedger } from './ledger';

export interface Verdict {
  problems: string[];
  storedMessages: number;
  storedNotAcked: number;
}

export async function verify(db: Queryable, ledger: Ledger): Promise<Verdict> {
  const problems: string[] = [];
  try {
    await checkInvariants(db);
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
  }
  const report = await verifyLedger(db, ledger);
  problems.push(...report.problems);
  return { problems, storedMessages: report.storedMessages, storedNotAcked: report.storedNotAcked };
}
