-- Staff queues: one department's open tickets by due time, and its counts per status.
CREATE INDEX service_requests_dept_due ON service_requests(department_code, sla_due_at);
CREATE INDEX service_requests_dept_status ON service_requests(department_code, status);
