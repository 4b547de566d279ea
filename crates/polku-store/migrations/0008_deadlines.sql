-- The last day for a decision, where the matter has a processing time (the rule set's
-- `processing_time`); the handler queue filters on it.

ALTER TABLE cases ADD COLUMN deadline TEXT;
CREATE INDEX cases_by_deadline ON cases (state, deadline);
