-- When the current SLA period began: a reopened ticket starts a new one, and escalation
-- measures "a full SLA period past due" from here (NULL: from created_at).
ALTER TABLE service_requests ADD COLUMN sla_started_at TIMESTAMPTZ;
