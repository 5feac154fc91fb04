-- The SQL floor of one chat message send (bench/README: "pgbench limit"): the same rows the
-- server's record:save + chat hooks write, without HTTP, auth, ACL, hooks or JSON.
-- Variables: bench_pick(i, conversation, sender, …) lists the 2-member conversations and a sender;
-- :nconv is its size (pgbench -D nconv=…). Run with -M prepared on the bench app's search_path.
\set i random(1, :nconv)
BEGIN;
SELECT conversation AS cid, sender AS sid FROM bench_pick WHERE i = :i \gset
INSERT INTO message (_id, _database_id, _owner_id, _access, _created_at, _created_by, _updated_at, _updated_by,
                     body, conversation_status, metadata, conversation_id, deleted)
VALUES (gen_random_uuid()::text, '', :sid,
        jsonb_build_array(jsonb_build_object('role', 'conversation-participant-' || :cid, 'level', 'read')),
        now() AT TIME ZONE 'UTC', :sid, now() AT TIME ZONE 'UTC', :sid,
        'pgbench message', 'delivered', '{}'::jsonb, :cid, false)
RETURNING _id AS mid, seq AS mseq \gset
UPDATE conversation SET last_message = :mid, last_message_at = now() AT TIME ZONE 'UTC' WHERE _id = :cid;
UPDATE user_conversation SET unread_count = unread_count + 1 WHERE conversation = :cid AND "user" <> :sid AND joined_seq < :mseq;
COMMIT;
