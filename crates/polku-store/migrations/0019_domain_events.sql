-- Domain events (ADR 0010, "Room for new parts"): what happened to a case, a decision, a
-- permit, and to whom, in one order every part can follow with a cursor. Each transaction
-- writes its events last, as one batch (an outbox) keyed by (tx, n): `tx` is the
-- transaction's id on PostgreSQL (pg_current_xact_id) and one more than the last on
-- SQLite (whose writers take turns), `n` the event's place in the batch. A reader on
-- PostgreSQL reads only the batches of transactions older than every transaction still
-- running, so no batch can later appear before its cursor; no lock orders the writers.

CREATE TABLE domain_events (
    tx          BIGINT NOT NULL,
    n           BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    person      TEXT NOT NULL,
    event_json  TEXT NOT NULL,
    PRIMARY KEY (tx, n)
);
