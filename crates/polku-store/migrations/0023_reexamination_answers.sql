-- A permit holder's answers in the re-examination of their permit (issue 13): the holder
-- is heard before any decision (HL 34 §), and answers in the e-service. Each answer is
-- kept as written, in the order given; the handler reads them with the case, and each
-- such read is in the use log.
CREATE TABLE reexamination_answers (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL,
    person       TEXT NOT NULL,
    answer       TEXT NOT NULL,
    answered_at  BIGINT NOT NULL
);
CREATE INDEX reexamination_answers_case ON reexamination_answers (case_id, answered_at);
