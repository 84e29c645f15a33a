-- Sahulat foundation schema (SQLite). Timestamps are TEXT in a fixed UTC format
-- (YYYY-MM-DDTHH:MM:SS.ffffffZ) written from Rust, so they sort and compare as text.

CREATE TABLE provinces (
    code TEXT PRIMARY KEY,
    name_en TEXT NOT NULL,
    name_ur TEXT NOT NULL,
    name_sd TEXT NOT NULL
);

CREATE TABLE districts (
    code TEXT PRIMARY KEY,
    province_code TEXT NOT NULL REFERENCES provinces(code),
    name_en TEXT NOT NULL,
    name_ur TEXT NOT NULL,
    name_sd TEXT NOT NULL,
    is_pilot INTEGER NOT NULL DEFAULT 0,
    accepts_requests INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE tehsils (
    code TEXT PRIMARY KEY,
    district_code TEXT NOT NULL REFERENCES districts(code),
    name_en TEXT NOT NULL,
    name_ur TEXT NOT NULL,
    name_sd TEXT NOT NULL,
    pcode TEXT
);
CREATE INDEX tehsils_district ON tehsils(district_code);

CREATE TABLE services (
    code TEXT PRIMARY KEY,
    sort_order INTEGER NOT NULL,
    definition TEXT NOT NULL,           -- the fixture object as JSON (names, questions, SDG, SLA)
    active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE departments (
    code TEXT PRIMARY KEY,
    district_code TEXT NOT NULL REFERENCES districts(code),
    kind TEXT NOT NULL,
    is_coordinator INTEGER NOT NULL DEFAULT 0,
    definition TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE routing_rules (
    district_code TEXT NOT NULL REFERENCES districts(code),
    tehsil_code TEXT NOT NULL DEFAULT '',   -- '' = the whole district
    service_code TEXT NOT NULL REFERENCES services(code),
    department_code TEXT NOT NULL REFERENCES departments(code),
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (district_code, tehsil_code, service_code)
);

CREATE TABLE service_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL UNIQUE,
    token TEXT NOT NULL UNIQUE,
    service_code TEXT NOT NULL REFERENCES services(code),
    description TEXT NOT NULL,
    lat REAL,
    lon REAL,
    address TEXT,
    province_code TEXT NOT NULL REFERENCES provinces(code),
    district_code TEXT NOT NULL REFERENCES districts(code),
    tehsil_code TEXT REFERENCES tehsils(code),
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    department_code TEXT REFERENCES departments(code),
    sla_due_at TEXT,
    duplicate_of INTEGER REFERENCES service_requests(id),
    attributes TEXT NOT NULL DEFAULT '{}',
    media_url TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX service_requests_created ON service_requests(created_at);
CREATE INDEX service_requests_updated ON service_requests(updated_at);
CREATE INDEX service_requests_service ON service_requests(service_code, created_at);
CREATE INDEX service_requests_district ON service_requests(district_code, status);
CREATE INDEX service_requests_latlon ON service_requests(lat, lon);

-- Personal data lives apart from the public record.
CREATE TABLE request_contacts (
    request_id INTEGER PRIMARY KEY REFERENCES service_requests(id),
    phone TEXT,
    name TEXT,
    email TEXT
);

-- Every lifecycle step (public updates feed Open311 servicerequestupdates).
CREATE TABLE request_updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES service_requests(id),
    status TEXT NOT NULL,
    is_public INTEGER NOT NULL,
    description TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX request_updates_request ON request_updates(request_id);
CREATE INDEX request_updates_created ON request_updates(created_at);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,                 -- queued | running | done | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at TEXT NOT NULL,
    lease_until TEXT,
    locked_by TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX jobs_ready ON jobs(state, run_at);

CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    label TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
