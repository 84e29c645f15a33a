-- No query reads request_contacts by phone_hash: contacts are read by request_id (their key), and
-- the keyed phone hash is only read back with its row (the reporter check of a second voice).
-- The index cost every new request with a phone a B-tree insert at a random place: one WAL page
-- a request on SQLite, about a sixth of what an intake commit writes (BENCHMARKS.md, "What the
-- writer writes, counted"). The column stays.
DROP INDEX request_contacts_phone_hash;
