-- Worker: triage results, duplicates, escalation, and the notification outbox (SQLite).

ALTER TABLE service_requests ADD COLUMN reporters INTEGER NOT NULL DEFAULT 1;
ALTER TABLE service_requests ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE service_requests ADD COLUMN ack_due_at TEXT;
ALTER TABLE service_requests ADD COLUMN acknowledged_at TEXT;
ALTER TABLE service_requests ADD COLUMN triage_flags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE service_requests ADD COLUMN filed_service_code TEXT;

CREATE INDEX service_requests_open_due ON service_requests(status, sla_due_at);
CREATE INDEX service_requests_duplicate_of ON service_requests(duplicate_of);

-- One row per message to send; written in the same transaction as the change it reports.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER REFERENCES service_requests(id),
    recipient_kind TEXT NOT NULL,          -- citizen | department | coordinator
    recipient TEXT NOT NULL,               -- E.164 phone, or a department code
    language TEXT NOT NULL,
    body TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,       -- the same event never produces two messages
    state TEXT NOT NULL,                   -- pending | sent | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_pending ON outbox(state, id);
CREATE INDEX outbox_recipient_sent ON outbox(recipient, sent_at);
