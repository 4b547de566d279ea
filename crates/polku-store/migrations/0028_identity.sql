-- The identity register (issue 14, ADR 0017): identity records from every source, the
-- links between them in the EU's colours, and the persons they make, with ids that
-- survive merges and splits (polku_identity::persons states the survivor rule).
--
-- `identity_head` is one row: the last record and person numbers issued. A registration
-- or a verdict first advances it, so writers queue on its row and number in order.
CREATE TABLE identity_head (
    id           BIGINT PRIMARY KEY,
    last_record  BIGINT NOT NULL,
    last_person  BIGINT NOT NULL
);
INSERT INTO identity_head (id, last_record, last_person) VALUES (1, 0, 0);

-- A record as its source sent it (`record`: polku_identity::RawRecord as JSON, read back
-- typed), `seq` its place in the order of arrival, `subject` the source's own key of the
-- person where it has one (an applicant's id: an alias of the person), `person_id` the
-- person it belongs to now.
CREATE TABLE identity_records (
    seq            BIGINT PRIMARY KEY,
    record_id      TEXT NOT NULL UNIQUE,
    source         TEXT NOT NULL,
    subject        TEXT,
    record         TEXT NOT NULL,
    person_id      BIGINT NOT NULL,
    registered_at  BIGINT NOT NULL
);
CREATE INDEX identity_records_person ON identity_records (person_id);
CREATE INDEX identity_records_subject ON identity_records (subject);

-- A person's id; `merged_into` once it is an alias of an older one.
CREATE TABLE identity_persons (
    person_id    BIGINT PRIMARY KEY,
    created_at   BIGINT NOT NULL,
    merged_into  BIGINT
);

-- A link between two records (`left_seq` < `right_seq`): `colour` yellow, white, green or
-- red; `explanation` the evidence field by field with its weights, and the probability,
-- as JSON; `decided_by` the official whose verdict it is (NULL: the machine's), with when
-- and why. A verdict stands: the pair is never asked again.
CREATE TABLE identity_links (
    left_seq     BIGINT NOT NULL,
    right_seq    BIGINT NOT NULL,
    colour       TEXT NOT NULL,
    explanation  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    decided_by   TEXT,
    decided_at   BIGINT,
    reason       TEXT,
    PRIMARY KEY (left_seq, right_seq)
);
CREATE INDEX identity_links_colour ON identity_links (colour, created_at);
CREATE INDEX identity_links_right ON identity_links (right_seq);

-- Each person's history: created, records added or moved, merged (`kind`), with the
-- change as JSON and the audit chain's row that records it.
CREATE TABLE identity_changes (
    person_id    BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    detail       TEXT NOT NULL,
    audit_seq    BIGINT NOT NULL
);
CREATE INDEX identity_changes_person ON identity_changes (person_id, at);
