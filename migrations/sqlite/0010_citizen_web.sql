-- The citizen web pages.
-- History entries the system writes keep their catalogue message (JSON: {"id", "args"}), so
-- they are shown in the reader's language; `description` keeps the English text.
ALTER TABLE request_updates ADD COLUMN message TEXT;
-- A coordinator may hide a description that names a private person (the request stays).
ALTER TABLE service_requests ADD COLUMN description_hidden_at TEXT;
-- "This is my problem too": further reporters of an open request, with their sealed number
-- (optional) so they get its SMS and may rate its closing.
CREATE TABLE request_voices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES service_requests(id),
    phone TEXT,
    phone_hash TEXT,
    language TEXT NOT NULL,
    channel TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX request_voices_request ON request_voices(request_id);
CREATE UNIQUE INDEX request_voices_once ON request_voices(request_id, phone_hash) WHERE phone_hash IS NOT NULL;
CREATE INDEX request_voices_phone ON request_voices(phone_hash);
-- One rating per closing and reporter, a voice counting as its own reporter (0: the
-- reporter of reporter_request_id). SQLite cannot change a table's UNIQUE constraint: rebuild.
CREATE TABLE ratings_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES service_requests(id),
    closed_at TEXT NOT NULL,
    reporter_request_id INTEGER NOT NULL REFERENCES service_requests(id),
    voice_id INTEGER NOT NULL DEFAULT 0,
    closed_status TEXT NOT NULL,
    department_code TEXT,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT,
    channel TEXT NOT NULL,
    reopened INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (request_id, closed_at, reporter_request_id, voice_id)
);
INSERT INTO ratings_v2 (id, request_id, closed_at, reporter_request_id, voice_id, closed_status,
    department_code, rating, comment, channel, reopened, created_at)
    SELECT id, request_id, closed_at, reporter_request_id, 0, closed_status, department_code,
    rating, comment, channel, reopened, created_at FROM ratings;
DROP TABLE ratings;
ALTER TABLE ratings_v2 RENAME TO ratings;
CREATE INDEX ratings_department ON ratings(department_code, created_at);
-- The public list: newest first within a district.
CREATE INDEX service_requests_district_created ON service_requests(district_code, created_at);
