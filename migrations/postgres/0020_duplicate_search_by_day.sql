-- The duplicate search by day is SQLite's (migrations/sqlite/0020_duplicate_search_by_day.sql,
-- store/src/sqlite/nearby.rs): it keeps the simulator's rate flat as a SQLite history grows.
-- PostgreSQL keeps service_requests_service_place (service_code, lat, lon) and its search
-- unchanged; this file keeps the two directories' versions in step.
SELECT 1;
