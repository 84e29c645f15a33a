-- The duplicate search by day: triage looks for open requests of the same service within 250 m
-- received in the last seven days. Through (service_code, lat, lon) it read the service's whole
-- latitude band, every day of the history, and looked up each row's time and status; so each
-- search grew with the history (77 index entries and 37 row lookups a search on thirty days of
-- 2,740 requests a day, 11 of them in the window). With the day received between the service and
-- the point, a search reads only its window's days of the band (store/src/sqlite/nearby.rs).
-- created_at is fixed-format UTC text, so its first ten characters are the day.
CREATE INDEX service_requests_service_day_place
    ON service_requests(service_code, substr(created_at, 1, 10), lat, lon);
DROP INDEX service_requests_service_place;
