-- The audit chain (Information Management Act 17 §): access, disclosure and decision logs
-- in one append-only table; each row's hash covers the previous row's hash.

CREATE TABLE audit_log (
    seq            BIGINT PRIMARY KEY,
    at             BIGINT NOT NULL,
    log            TEXT NOT NULL,
    actor          TEXT NOT NULL,
    organisation   TEXT,
    person         TEXT,
    purpose        TEXT NOT NULL,
    legal_basis    TEXT,
    detail         TEXT NOT NULL,
    x_road_client  TEXT,
    x_road_user_id TEXT,
    x_road_issue   TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);

-- One row that every append updates first: the row lock orders concurrent appends on
-- PostgreSQL; SQLite's write lock does the same.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
