-- The outbox's two recipient indexes without the rows they never serve. Citizens' SMS go to
-- their own phone numbers: a million requests send to about a million numbers, so each entry
-- for them landed on a random page of an index that grows with the history. At the end of a
-- year-long simulation the inbox's index is half the size (BENCHMARKS.md, "The simulator: its
-- allocator"; the time saved was within that machine's noise).
-- * outbox_staff serves the staff inbox, which reads only staff messages: its queries say
--   recipient_kind IN ('department', 'coordinator'), the same words as this index's condition.
-- * outbox_recipient_sent serves the SMS limit per phone and hour (sent_at >= ?), which counts
--   only sent messages: a message is indexed when it is sent, not once more when it is queued.
DROP INDEX outbox_staff;
CREATE INDEX outbox_staff ON outbox(recipient, recipient_kind, id)
    WHERE recipient_kind IN ('department', 'coordinator');
DROP INDEX outbox_recipient_sent;
CREATE INDEX outbox_recipient_sent ON outbox(recipient, sent_at) WHERE sent_at IS NOT NULL;
