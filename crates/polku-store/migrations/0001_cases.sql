-- Cases, their append-only history, the job queue, decisions and permits.
-- One text for SQLite and PostgreSQL: booleans are INTEGER 0/1, times BIGINT epoch
-- microseconds, ids and JSON TEXT (sqlx's Any driver has no bool/time/uuid/json on SQLite).

CREATE TABLE cases (
    id               TEXT PRIMARY KEY,
    matter           TEXT NOT NULL,
    applicant_id     TEXT NOT NULL,
    state            TEXT NOT NULL,
    application_date TEXT NOT NULL,
    application_json TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX cases_by_applicant ON cases (applicant_id);
CREATE INDEX cases_by_state ON cases (state, created_at);

CREATE TABLE case_events (
    case_id    TEXT NOT NULL REFERENCES cases (id),
    seq        BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    reason     TEXT,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE jobs (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    kind        TEXT NOT NULL,
    state       TEXT NOT NULL,
    attempts    BIGINT NOT NULL,
    run_after   BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    last_error  TEXT,
    created_at  BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX jobs_ready ON jobs (state, run_after);

CREATE TABLE decisions (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES cases (id),
    outcome          TEXT NOT NULL,
    automated        INTEGER NOT NULL,
    decided_by       TEXT NOT NULL,
    rule_set         TEXT,
    rule_set_version TEXT,
    evaluated_on     TEXT,
    input_json       TEXT NOT NULL,
    trace_json       TEXT NOT NULL,
    decided_at       BIGINT NOT NULL
);
CREATE INDEX decisions_by_case ON decisions (case_id);

CREATE TABLE permits (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    decision_id TEXT NOT NULL REFERENCES decisions (id),
    matter      TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
