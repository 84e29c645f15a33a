-- Citizens rate how a closed ticket was handled (1-5), once per closing and reporter (the
-- original's, or a duplicate's reporter rating the original); a poor rating
-- within the reopen window reopens the ticket in the same transaction.
CREATE TABLE ratings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES service_requests(id),
    closed_at TEXT NOT NULL,
    reporter_request_id INTEGER NOT NULL REFERENCES service_requests(id),
    closed_status TEXT NOT NULL,
    department_code TEXT,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT,
    channel TEXT NOT NULL,
    reopened INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (request_id, closed_at, reporter_request_id)
);
CREATE INDEX ratings_department ON ratings(department_code, created_at);
