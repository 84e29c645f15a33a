-- Feature phones and the staff inbox.
-- A USSD session: the gateway's path so far (the source of truth, replayed on every step),
-- its inputs, the answer last given (a retried step gets it again), and the request it made.
-- The phone is kept only as the keyed hash that finds a caller's unfinished session.
CREATE TABLE ussd_sessions (
    gateway TEXT NOT NULL,
    session_id TEXT NOT NULL,
    phone_hash TEXT NOT NULL,
    path TEXT NOT NULL,
    inputs JSONB NOT NULL,
    offer JSONB,
    answer TEXT NOT NULL,
    ended BOOLEAN NOT NULL DEFAULT FALSE,
    request_id BIGINT REFERENCES service_requests(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (gateway, session_id)
);
CREATE INDEX ussd_sessions_phone ON ussd_sessions(phone_hash, updated_at);
-- Inbound SMS, once each (a gateway's retry is recognised by its message id); no text kept.
CREATE TABLE sms_inbound (
    id BIGSERIAL PRIMARY KEY,
    gateway TEXT NOT NULL,
    message_id TEXT NOT NULL,
    phone_hash TEXT NOT NULL,
    command TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    UNIQUE (gateway, message_id)
);
-- The staff inbox: messages to departments and coordinators are outbox rows; who read which.
CREATE TABLE inbox_reads (
    user_id BIGINT NOT NULL REFERENCES users(id),
    message_id BIGINT NOT NULL REFERENCES outbox(id),
    read_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, message_id)
);
CREATE INDEX outbox_staff ON outbox(recipient, recipient_kind, id);
