-- The registers that did not answer when a decision was made (JSON list; NULL: none):
-- part of the decision's record, so that a replay reaches the same outcome.

ALTER TABLE decisions ADD COLUMN unanswered_json TEXT;
