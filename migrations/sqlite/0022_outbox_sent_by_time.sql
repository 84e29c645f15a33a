-- The SMS limit's index in time order. The limit counts what each of a batch's recipients was
-- sent in the last hour (`sent_at >= ?`). Keyed by recipient first, every SMS to a citizen
-- landed on a random leaf of an index that grows with the history: at the end of a year-long
-- simulation that index was 23 % of the pages a simulated day wrote (3,706 of 16,276;
-- BENCHMARKS.md, "The simulator: the pages a day writes"). Keyed by time first, new entries go
-- to its last pages, and the limit reads the window's entries and keeps its recipients'.
DROP INDEX outbox_recipient_sent;
CREATE INDEX outbox_sent ON outbox(sent_at, recipient) WHERE sent_at IS NOT NULL;
