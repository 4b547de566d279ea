-- Domain events (ADR 0010, "Room for new parts"): what happened to a case, a decision, a
-- permit, and to whom, in one order every part can follow with a cursor. Each event is
-- written in the transaction that makes it happen (an outbox), numbered by the head row
-- below: its row lock (PostgreSQL) or the write lock (SQLite) makes the numbers follow the
-- commit order, so a reader that has seen event n has seen every event before it.

CREATE TABLE domain_events (
    seq         BIGINT PRIMARY KEY,
    at          BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    person      TEXT NOT NULL,
    event_json  TEXT NOT NULL
);
CREATE INDEX domain_events_person ON domain_events (person, seq);

CREATE TABLE domain_event_head (
    id   INTEGER PRIMARY KEY,
    seq  BIGINT NOT NULL
);
INSERT INTO domain_event_head (id, seq) VALUES (1, 0);
