-- The statements the server itself sends to PostgreSQL for one 2-member message send (record:save
-- of a message with the chat hooks), run by pgbench without the server: it splits the gap between
-- our send and the floor (send.sql) into "what the SQL costs" and "what the HTTP server costs".
-- Captured with log_statement = 'all' from a bench run (2026-12-01) and kept in their order:
-- token + roles lookup (before the transaction), stored-row check (gives before-save `original`),
-- conversation lock (message before-save), INSERT … RETURNING (the store), the after-save
-- statement (last_message, unread counts, recipients' channels), COMMIT. Update it when those
-- statements change. Differences, all forced by pgbench: the schema comes from search_path; the
-- message id is built from the sender and a random number; the new seq is read with currval();
-- to_char's format avoids ':' and the column aliases use '_' (pgbench reads ':name' as a variable).
-- Variables: bench_pick(i, conversation, sender, token, participants); run with -M prepared.
\set i random(1, :nconv)
\set r random(1, 9000000000000000)
SELECT conversation AS cid, sender AS sid, token AS tok, participants AS parts FROM bench_pick WHERE i = :i \gset
SELECT a.id, a.disabled, a.disabled_message, a.disabled_expiry,
       ARRAY(SELECT r.role_id FROM _auth_role r WHERE r.auth_id = a.id ORDER BY r.role_id) AS roles
  FROM _access_token t JOIN _auth a ON a.id = t.auth_id
 WHERE t.token = :tok::text AND (a.token_valid_since IS NULL OR t.issued_at >= a.token_valid_since);
BEGIN;
SELECT t.*, to_char(t."_created_at", ('YYYY-MM-DD"T"HH24' || chr(58) || 'MI' || chr(58) || 'SS.US')) AS "__ts_created_at",
       to_char(t."_updated_at", ('YYYY-MM-DD"T"HH24' || chr(58) || 'MI' || chr(58) || 'SS.US')) AS "__ts_updated_at"
  FROM message t WHERE t."_id" = (:sid::text || '-' || :r::text) AND t."_database_id" = '' FOR UPDATE;
SELECT c._id, c._owner_id, c._access, c._created_at, c._created_by, c._updated_at, c._updated_by, c.title, c.admin_ids,
       c.participant_ids, c.participant_count, c.distinct_by_participants, c.metadata, c.last_message, c.last_message_at,
       c.deleted, c.distinct_key
  FROM conversation c WHERE c._id = :cid::text FOR NO KEY UPDATE;
INSERT INTO message AS t ("_id", "_database_id", "_owner_id", "_access", "_created_at", "_created_by", "_updated_at",
                          "_updated_by", "body", "conversation_id", "metadata", "conversation_status", "deleted")
VALUES ((:sid::text || '-' || :r::text), '', :sid::text,
        jsonb_build_array(jsonb_build_object('role', 'conversation-participant-' || :cid::text, 'level', 'read')),
        (now() AT TIME ZONE 'UTC'), :sid::text, (now() AT TIME ZONE 'UTC'), :sid::text, 'pgbench message', :cid::text,
        '{}'::jsonb, 'delivered', false)
RETURNING t.*, to_char(t."_created_at", ('YYYY-MM-DD"T"HH24' || chr(58) || 'MI' || chr(58) || 'SS.US')) AS "__ts_created_at",
          to_char(t."_updated_at", ('YYYY-MM-DD"T"HH24' || chr(58) || 'MI' || chr(58) || 'SS.US')) AS "__ts_updated_at";
WITH moved AS (
       UPDATE conversation c SET last_message = (:sid::text || '-' || :r::text), last_message_at = now() AT TIME ZONE 'UTC'
        WHERE c._id = :cid::text
          AND (c.last_message IS NULL OR COALESCE((SELECT seq FROM message WHERE _id = c.last_message), 0) < currval('message_seq_seq'))
        RETURNING c._id, c._owner_id, c._access, c._created_at, c._created_by, c._updated_at, c._updated_by, c.title, c.admin_ids,
                  c.participant_ids, c.participant_count, c.distinct_by_participants, c.metadata, c.last_message,
                  c.last_message_at, c.deleted, c.distinct_key),
     counted AS (UPDATE user_conversation SET unread_count = unread_count + 1
                  WHERE conversation = :cid::text AND "user" <> :sid::text AND joined_seq < currval('message_seq_seq')),
     channels AS (SELECT _owner_id AS owner, name FROM user_channel
                   WHERE _owner_id = ANY(:parts::text[]) AND name IS NOT NULL AND name <> '')
SELECT (SELECT COALESCE(json_agg(json_build_object('owner', owner, 'name', name)), '[]'::json) FROM channels) AS _channels, moved.*
  FROM (SELECT 1) AS one LEFT JOIN moved ON true;
COMMIT;
