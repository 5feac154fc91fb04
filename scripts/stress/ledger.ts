/**
 * What the server acknowledged, kept by the load generator, so a checker can prove that every
 * acknowledged write is stored exactly once — and that nothing was stored that no client asked for.
 *
 * A request whose response never arrived (killed server, dropped connection, timeout) is "in doubt":
 * it may or may not be stored, but if it is, it must be whole (the invariants check that).
 */
import type { Queryable } from '../../src/server/db/driver';

export interface AckedMessage {
  id: string;
  conversationId: string;
  senderId: string;
  databaseId: string;
}

export class Ledger {
  /** Message ids the server answered with a saved record. */
  readonly ackedMessages = new Map<string, AckedMessage>();
  /** Every message id a client tried to save (acked, refused or in doubt). */
  readonly attemptedMessages = new Set<string>();
  /** Conversations create_conversation returned. */
  readonly ackedConversations = new Set<string>();
  /** Distinct-creation races: participant-set key → ids the racers were told (created or existing). */
  readonly distinctRaces = new Map<string, { created: string[]; toldExisting: string[] }>();
  /** Acknowledged edits per message (each changed the body, so each is one revision). */
  readonly ackedEdits = new Map<string, number>();
  /** Messages chat:delete_message acknowledged. */
  readonly ackedDeletes = new Set<string>();

  attemptMessage(id: string): void {
    this.attemptedMessages.add(id);
  }

  ackMessage(m: AckedMessage): void {
    this.ackedMessages.set(m.id, m);
  }

  ackEdit(id: string): void {
    this.ackedEdits.set(id, (this.ackedEdits.get(id) ?? 0) + 1);
  }
}

export interface LedgerReport {
  problems: string[];
  storedMessages: number;
  storedNotAcked: number;
}

/** Compares the ledger with the database. Returns every disagreement (empty = all good). */
export async function verifyLedger(db: Queryable, ledger: Ledger): Promise<LedgerReport> {
  const problems: string[] = [];
  const rows = (
    await db.query<{ _id: string; conversation_id: string; _owner_id: string; _database_id: string; n: number }>(
      `SELECT _id, conversation_id, _owner_id, _database_id, count(*) OVER (PARTITION BY _id)::int AS n FROM message`,
    )
  ).rows;
  const stored = new Map<string, (typeof rows)[number]>();
  for (const r of rows) {
    if (r.n !== 1) problems.push(`message ${r._id} is stored ${r.n} times`);
    stored.set(r._id, r);
  }
  for (const m of ledger.ackedMessages.values()) {
    const row = stored.get(m.id);
    if (!row) {
      problems.push(`acknowledged message ${m.id} (conversation ${m.conversationId}) is missing`);
      continue;
    }
    if (row.conversation_id !== m.conversationId) problems.push(`message ${m.id} is in ${row.conversation_id}, acknowledged in ${m.conversationId}`);
    if (row._owner_id !== m.senderId) problems.push(`message ${m.id} is owned by ${row._owner_id}, sent by ${m.senderId}`);
  }
  let storedNotAcked = 0;
  for (const id of stored.keys()) {
    if (ledger.ackedMessages.has(id)) continue;
    if (!ledger.attemptedMessages.has(id)) problems.push(`message ${id} is stored but no client ever sent it`);
    else storedNotAcked++;
  }
  // Edits and deletes: every acknowledged edit is one revision and one history row (a message's edits
  // come from its author, one request at a time); every acknowledged delete is a deleted message.
  const versions = new Map(
    (
      await db.query<{ _id: string; revision: number; deleted: boolean; history: number }>(
        `SELECT m._id, m.revision, m.deleted, (SELECT count(*)::int FROM message_history h WHERE h.parent = m._id) AS history FROM message m`,
      )
    ).rows.map((r) => [r._id, r]),
  );
  for (const [id, edits] of ledger.ackedEdits) {
    const row = versions.get(id);
    if (row && (row.revision !== 1 + edits || row.history !== edits)) {
      problems.push(`message ${id}: ${edits} acknowledged edits, revision ${row.revision}, ${row.history} history rows`);
    }
  }
  for (const id of ledger.ackedDeletes) if (versions.get(id)?.deleted !== true) problems.push(`acknowledged delete of ${id} is not stored`);

  const seqDupes = (await db.query(`SELECT seq, count(*)::int AS n FROM message GROUP BY seq HAVING count(*) > 1`)).rows;
  for (const d of seqDupes) problems.push(`seq shared by several messages: ${JSON.stringify(d)}`);

  if (ledger.ackedConversations.size > 0) {
    const ids = [...ledger.ackedConversations];
    const found = new Set(
      (await db.query<{ _id: string }>(`SELECT _id FROM conversation WHERE _id = ANY($1::text[])`, [ids])).rows.map((r) => r._id),
    );
    for (const id of ids) if (!found.has(id)) problems.push(`acknowledged conversation ${id} is missing`);
  }

  // A race may legitimately create twice if the first winner stopped being distinct (someone left)
  // before the second racer looked; two winners that are BOTH still distinct are a violation.
  const involved = [...new Set([...ledger.distinctRaces.values()].flatMap((r) => [...r.created, ...r.toldExisting]))];
  const flags = new Map(
    (await db.query<{ _id: string; distinct_by_participants: boolean | null }>(
      `SELECT _id, distinct_by_participants FROM conversation WHERE _id = ANY($1::text[])`,
      [involved],
    )).rows.map((r) => [r._id, r.distinct_by_participants === true]),
  );
  for (const [key, race] of ledger.distinctRaces) {
    const stillDistinct = race.created.filter((id) => flags.get(id));
    if (stillDistinct.length > 1) problems.push(`distinct race ${key}: ${stillDistinct.length} distinct conversations created (${stillDistinct.join(', ')})`);
    for (const id of race.toldExisting) if (!flags.has(id)) problems.push(`distinct race ${key}: a loser was told about ${id}, which does not exist`);
  }
  const distinctDupes = (
    await db.query(
      `SELECT k, count(*)::int AS n FROM (
         SELECT (SELECT jsonb_agg(p ORDER BY p) FROM jsonb_array_elements_text(participant_ids) p) AS k
           FROM conversation WHERE distinct_by_participants AND NOT COALESCE(deleted, false)) s
        GROUP BY k HAVING count(*) > 1`,
    )
  ).rows;
  for (const d of distinctDupes) problems.push(`several distinct conversations for one participant set: ${JSON.stringify(d)}`);
  return { problems, storedMessages: stored.size, storedNotAcked };
}
