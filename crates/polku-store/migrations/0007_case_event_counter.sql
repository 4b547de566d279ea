-- The number of a case's last history event, kept on the case: one UPDATE checks the
-- state, moves it and allocates the events' numbers, so a transition needs no read first.

ALTER TABLE cases ADD COLUMN last_seq BIGINT NOT NULL DEFAULT 0;
UPDATE cases SET last_seq = (SELECT COALESCE(MAX(seq), 0) FROM case_events e WHERE e.case_id = cases.id);
