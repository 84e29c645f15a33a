-- The citizen web pages.
-- History entries the system writes keep their catalogue message ({"id", "args"}), so they
-- are shown in the reader's language; `description` keeps the English text.
ALTER TABLE request_updates ADD COLUMN message JSONB;
-- A coordinator may hide a description that names a private person (the request stays).
ALTER TABLE service_requests ADD COLUMN description_hidden_at TIMESTAMPTZ;
-- "This is my problem too": further reporters of an open request, with their sealed number
-- (optional) so they get its SMS and may rate its closing.
CREATE TABLE request_voices (
    id BIGSERIAL PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES service_requests(id),
    phone TEXT,
    phone_hash TEXT,
    language TEXT NOT NULL,
    channel TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX request_voices_request ON request_voices(request_id);
CREATE UNIQUE INDEX request_voices_once ON request_voices(request_id, phone_hash) WHERE phone_hash IS NOT NULL;
CREATE INDEX request_voices_phone ON request_voices(phone_hash);
-- One rating per closing and reporter, a voice counting as its own reporter (0: the
-- reporter of reporter_request_id).
ALTER TABLE ratings ADD COLUMN voice_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ratings DROP CONSTRAINT ratings_request_id_closed_at_reporter_request_id_key;
ALTER TABLE ratings ADD CONSTRAINT ratings_once UNIQUE (request_id, closed_at, reporter_request_id, voice_id);
-- The public list: newest first within a district.
CREATE INDEX service_requests_district_created ON service_requests(district_code, created_at);
