-- Monitoring a permit's conditions through its validity ("jälkivalvonta", issue 13).
--
-- register_events: every event a register reported, kept whether or not it touched a
-- monitored permit (an event for a person who holds no monitored permit yet is matched
-- when one is granted), idempotent by the source's event id. `subject` is the person's
-- id, or `employer:<business id>` for the trade register's events about an employer.
CREATE TABLE register_events (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    subject       TEXT NOT NULL,
    occurred_on   TEXT NOT NULL,
    received_at   BIGINT NOT NULL,
    batch_id      TEXT NOT NULL,
    payload_json  TEXT NOT NULL
);
CREATE INDEX register_events_subject ON register_events (subject, occurred_on);

-- The permits watched: the facts their conditions are checked against, starting from
-- the evidence the grant was decided on and changed by each register event since.
-- `facts` are packed (polku-monitoring's compact.rs: the fields as the rules read them,
-- where each register's came from, the day each was set), so a batch of events and a
-- re-check of every permit read no JSON; BYTEA is a blob on SQLite too.
CREATE TABLE monitored_permits (
    permit_id     TEXT PRIMARY KEY,
    case_id       TEXT,
    person        TEXT NOT NULL,
    matter        TEXT NOT NULL,
    valid_from    TEXT NOT NULL,
    valid_until   TEXT,
    employer_id   TEXT,
    facts         BYTEA NOT NULL,
    checked_on    TEXT,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX monitored_permits_person ON monitored_permits (person);
CREATE INDEX monitored_permits_employer ON monitored_permits (employer_id);

-- An alert: a watched condition that stopped holding, for a person to confirm (a
-- re-examination case opens) or dismiss, with reasons. At most one open alert per permit
-- and condition; an open alert closes itself, with a record, when the condition holds
-- again.
CREATE TABLE monitoring_alerts (
    id                  TEXT PRIMARY KEY,
    permit_id           TEXT NOT NULL,
    person              TEXT NOT NULL,
    matter              TEXT NOT NULL,
    condition_id        TEXT NOT NULL,
    rule_set            TEXT NOT NULL,
    version             TEXT NOT NULL,
    state               TEXT NOT NULL,
    opened_at           BIGINT NOT NULL,
    checked_on          TEXT NOT NULL,
    trace_json          TEXT NOT NULL,
    closed_at           BIGINT,
    closed_by           TEXT,
    close_reason        TEXT,
    reexamination_case  TEXT
);
CREATE UNIQUE INDEX monitoring_alerts_one_open ON monitoring_alerts (permit_id, condition_id) WHERE state = 'open';
CREATE INDEX monitoring_alerts_state ON monitoring_alerts (state, opened_at);

-- The input schema's field paths for each schema fingerprint packed facts carry, so that
-- facts packed by an earlier release read back by path.
CREATE TABLE monitoring_schemas (
    fingerprint  TEXT PRIMARY KEY,
    fields_json  TEXT NOT NULL
);

-- How far the monitor has followed the cases' domain events (grants to watch).
CREATE TABLE monitoring_cursor (
    name  TEXT PRIMARY KEY,
    tx    BIGINT NOT NULL,
    n     BIGINT NOT NULL
);
