-- The coordinator's queue: a district's open tickets by due time, and its overdue count,
-- without sorting the whole district (70 ms → see BENCHMARKS.md at 100,000 tickets).
CREATE INDEX service_requests_district_due ON service_requests(district_code, sla_due_at);
