-- Photos of a request (citizen's and staff's). The files live in SAHULAT_MEDIA_DIR as
-- {file}.jpg and {file}_t.jpg, re-encoded without any camera metadata.
CREATE TABLE photos (
    id BIGSERIAL PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES service_requests(id),
    file TEXT NOT NULL UNIQUE,
    source_sha256 TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('report', 'staff')),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    hidden_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (request_id, source_sha256)
);
