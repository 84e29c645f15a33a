-- The escalation sweep's candidates: open tickets that can still go up a level. Without these,
-- each sweep walked every open ticket through (status, sla_due_at) and looked up its row,
-- including the thousands already at the last level or never acknowledged for months, so a sweep
-- grew with the backlog (76 ms on a 327,000-request history with 44,000 open tickets; 12 ms with
-- these: BENCHMARKS.md, "The simulator: a day per transaction"). Partial, so closed tickets and
-- tickets at the last level (3, `MAX_ESCALATION`) are not in them at all.
CREATE INDEX service_requests_escalate_sla ON service_requests(sla_due_at)
    WHERE status IN ('open', 'acknowledged', 'in_progress', 'referred') AND escalation_level < 3;
CREATE INDEX service_requests_escalate_ack ON service_requests(ack_due_at)
    WHERE status IN ('open', 'acknowledged', 'in_progress', 'referred') AND escalation_level < 1
      AND acknowledged_at IS NULL;
