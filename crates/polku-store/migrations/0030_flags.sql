-- Information exchange between authorities (issue 15, ADR 0019), its first part: contact
-- points and flags.
--
-- A contact point is a unit of an authority that receives a kind of matter ("mailbox"),
-- kept by the authority itself: `organisation` the authority's code, names in three
-- languages, an address, the languages it answers in (comma-separated fi, sv, en) and its
-- hours as text.
CREATE TABLE contact_points (
    id            TEXT PRIMARY KEY,
    organisation  TEXT NOT NULL,
    name_fi       TEXT NOT NULL,
    name_sv       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    email         TEXT NOT NULL,
    languages     TEXT NOT NULL,
    hours         TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- A flag a security authority raised on a person (the identity register's person id):
-- its kind, the raising authority and the contact point others turn to, its legal basis,
-- the last day it is in force (`expires_on`, YYYY-MM-DD; it lapses unless renewed) and, once
-- cleared, when, by whom and why. The intelligence behind a flag is never here: others see
-- that a flag exists, its kind, its contact point and its expiry (hit / no hit).
CREATE TABLE flags (
    id             TEXT PRIMARY KEY,
    person_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    organisation   TEXT NOT NULL,
    contact_point  TEXT NOT NULL REFERENCES contact_points (id),
    legal_basis    TEXT NOT NULL,
    raised_by      TEXT NOT NULL,
    raised_at      BIGINT NOT NULL,
    expires_on     TEXT NOT NULL,
    renewed_at     BIGINT,
    cleared_at     BIGINT,
    cleared_by     TEXT,
    clear_reason   TEXT
);
CREATE INDEX flags_person ON flags (person_id);
