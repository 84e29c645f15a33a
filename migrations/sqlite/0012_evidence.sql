-- Evidence for local plans: a request keeps the department's first response (acknowledged,
-- started, referred or closed with an answer; a reopen does not clear it) and how often it was
-- reopened, so the key figures need no scan of the history.
ALTER TABLE service_requests ADD COLUMN responded_at TEXT;
ALTER TABLE service_requests ADD COLUMN reopen_count INTEGER NOT NULL DEFAULT 0;
UPDATE service_requests SET
  responded_at = (SELECT MIN(u.created_at) FROM request_updates u WHERE u.request_id = service_requests.id
                  AND u.status IN ('acknowledged', 'in_progress', 'referred', 'resolved', 'closed_not_fixed', 'not_responsible')),
  reopen_count = (SELECT COUNT(*) FROM request_updates u WHERE u.request_id = service_requests.id
                  AND u.is_public = 0 AND u.description LIKE 'reopened:%');
-- The backlog carried into a window: requests of a district closed after its start (or open).
CREATE INDEX service_requests_district_closed ON service_requests(district_code, closed_at);
