-- Innovative actions (issue 12): what a pilot tried, where and from when, and who registered
-- it. Tehsils, services and SDG targets are JSON arrays of codes; dates are Pakistan days.
CREATE TABLE innovative_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    district_code TEXT NOT NULL REFERENCES districts(code),
    tehsils TEXT NOT NULL,
    services TEXT NOT NULL,
    sdg_targets TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    description TEXT NOT NULL,
    budget_pkr INTEGER,
    expected_effect TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX innovative_actions_district ON innovative_actions(district_code, start_date);
