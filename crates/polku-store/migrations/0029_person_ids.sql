-- The identity register's person id where every part reads it (issue 14, "the person id is
-- the one every part uses"): a case carries the person its applicant is, once the register
-- has resolved them (NULL until then), and a permit is its case's person's. Every domain
-- event carries the person id its case had when the event was written, beside the alias
-- (the applicant id) it was filed under. A person id that a merge later made an alias is
-- followed by the identity register on every read.
ALTER TABLE cases ADD COLUMN person_id TEXT;
CREATE INDEX cases_person_id ON cases (person_id);
ALTER TABLE domain_events ADD COLUMN person_id TEXT;
