-- What the authority asks of an applicant (issue 12): a request for evidence (by the machine,
-- when a condition the applicant answers is unknown, or by a handler) or a hearing before a
-- refusal (Administrative Procedure Act 34 §: the draft grounds, with a deadline). The
-- applicant answers in the e-service with text and attachments; the answer goes to a person.
--
-- `kind` is `evidence` or `hearing`; `conditions` a JSON array of the rule set's condition ids
-- the request concerns; `what` the handler's own words (NULL for the machine's request, which
-- the pages state from the conditions in the reader's language); `due` the last day to answer
-- (a date in Finland). A case waiting for an answer carries the same day in `answer_due`, so
-- the handler queue finds the cases whose answer is overdue.
CREATE TABLE requests (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    asked_by     TEXT NOT NULL,
    asked_at     BIGINT NOT NULL,
    due          TEXT NOT NULL,
    conditions   TEXT NOT NULL,
    what         TEXT,
    answered_at  BIGINT,
    answer       TEXT
);
CREATE INDEX requests_case ON requests (case_id, asked_at);

-- The files an applicant attached to an answer, in the database so every instance serves
-- them. The type is the one the content shows (never the name's or the browser's claim).
-- BYTEA is PostgreSQL's bytes; SQLite keeps a blob as it is in a column of that name.
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    request_id   TEXT NOT NULL,
    case_id      TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content      BYTEA NOT NULL,
    uploaded_at  BIGINT NOT NULL
);
CREATE INDEX attachments_request ON attachments (request_id);

ALTER TABLE cases ADD COLUMN answer_due TEXT;
