-- No query reads service_requests by point alone: every duplicate search also names the service
-- and goes through service_requests_service_place (service_code, lat, lon). The (lat, lon) index
-- only cost every new request one more B-tree insert (a random page of the WAL on SQLite).
DROP INDEX service_requests_latlon;
