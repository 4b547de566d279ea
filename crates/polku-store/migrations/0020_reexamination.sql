-- Re-examination cases (issue 13): a case is either an application someone filed or a
-- re-examination of a permit already granted, which a person opens after a monitoring
-- alert. A re-examination never goes through the pipeline: it starts with a person.
-- `opened_for` names what opened it (the confirmed alert), once: a second confirmation of
-- the same alert finds the case the first one opened.

ALTER TABLE cases ADD COLUMN purpose TEXT NOT NULL DEFAULT 'application';
ALTER TABLE cases ADD COLUMN reexamines TEXT;
ALTER TABLE cases ADD COLUMN opened_for TEXT;
CREATE UNIQUE INDEX cases_opened_for ON cases (opened_for);
